namespace Concierge.Guest.Supervision;

/// <summary>A started child: its pid, its exit, and its output pipes when they were captured.</summary>
internal sealed record ChildProcess(int Pid, Task<ExitStatus> Exited, Stream? StandardOutput, Stream? StandardError);
