using Concierge.GuestLink.Protocol;

namespace Concierge.Guest.Link;

/// <summary>What the host link asks of the rest of the guest: facts to report and commands to carry out.</summary>
internal interface IGuestAgent
{
    /// <summary>The first frame of each connection.</summary>
    Hello DescribeGuest();

    /// <summary>Current numbers for a heartbeat (the link sets the sequence).</summary>
    Heartbeat SampleHeartbeat();

    /// <summary>Runs a command (in the container when there is one) and returns its outcome; never throws for the command's failures.</summary>
    Task<ExecResult> ExecAsync(Exec request, CancellationToken cancellationToken);

    /// <summary>Sets the realtime clock.</summary>
    SetTimeResult SetTime(SetTime request);

    /// <summary>Starts the orderly shutdown; returns at once.</summary>
    void Shutdown(Shutdown request);
}
