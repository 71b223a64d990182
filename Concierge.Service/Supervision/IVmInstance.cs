namespace Concierge.Service.Supervision;

/// <summary>
/// One run of a VM as the supervisor drives it: the in-process monitor plus its guest link.
/// A restart makes a new instance. Implementations report every ending through
/// <see cref="Exited"/> (never by throwing from elsewhere) and may be called from any thread.
/// Its guest commands (<see cref="IGuestCommands"/>) reach the guest init over the same link.
/// </summary>
public interface IVmInstance : IGuestCommands, IAsyncDisposable
{
    /// <summary>Completes once, with how the VM ended, after the monitor is fully gone.</summary>
    Task<InstanceExit> Exited { get; }

    /// <summary>Builds the monitor and starts the vCPUs; returns once the guest is running.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Asks the guest init to shut down (host link Shutdown); it may ignore it.</summary>
    Task RequestGuestShutdownAsync(CancellationToken cancellationToken);

    /// <summary>Stops the vCPUs and tears the monitor down without telling the guest.</summary>
    Task StopMonitorAsync(CancellationToken cancellationToken);

    /// <summary>Last resort: ends the instance now, abandoning whatever does not stop.</summary>
    void Kill();

    /// <summary>Pauses the vCPUs.</summary>
    Task PauseAsync(CancellationToken cancellationToken);

    /// <summary>Resumes paused vCPUs.</summary>
    Task ResumeAsync(CancellationToken cancellationToken);

    /// <summary>What the VM has shown so far (console, vCPUs), in words: why a guest that never said hello may be stuck.</summary>
    string DescribeProgress();

    /// <summary>Guest link events until the instance ends; reconnects show as a new hello.</summary>
    IAsyncEnumerable<GuestLinkEvent> ReadGuestEventsAsync(CancellationToken cancellationToken);
}
