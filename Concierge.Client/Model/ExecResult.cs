namespace Concierge.Client;

/// <summary>What a command run in a guest's container left behind.</summary>
/// <param name="ExitCode">Its exit status (128 + N when killed by signal N, like a shell).</param>
/// <param name="StandardOutput">Its stdout (bounded by the guest).</param>
/// <param name="StandardError">Its stderr (bounded by the guest).</param>
public sealed record ExecResult(int ExitCode, byte[] StandardOutput, byte[] StandardError);
