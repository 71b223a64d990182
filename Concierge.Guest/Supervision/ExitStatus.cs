using Concierge.GuestLink.Protocol;

namespace Concierge.Guest.Supervision;

/// <summary>How a child ended, decoded from a waitpid status word.</summary>
internal readonly record struct ExitStatus(ProcessStatus Status, int Code)
{
    /// <summary>Decodes WIFEXITED/WEXITSTATUS and WIFSIGNALED/WTERMSIG.</summary>
    public static ExitStatus FromWaitStatus(int status)
    {
        var signal = status & 0x7f;
        if (signal == 0)
        {
            return new ExitStatus(ProcessStatus.Exited, (status >> 8) & 0xff);
        }
        return new ExitStatus(ProcessStatus.Signaled, signal);
    }

    /// <summary>True for a normal exit with code 0.</summary>
    public bool Succeeded => Status == ProcessStatus.Exited && Code == 0;

    public override string ToString() => Status switch
    {
        ProcessStatus.Exited => $"exited with code {Code}",
        ProcessStatus.Signaled => $"killed by signal {Code}",
        _ => $"{Status} ({Code})",
    };
}
