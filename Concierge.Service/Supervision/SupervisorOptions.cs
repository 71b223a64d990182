namespace Concierge.Service.Supervision;

/// <summary>Service-wide supervision timing (per-VM timing lives in the VM's definition).</summary>
public sealed record SupervisorOptions
{
    /// <summary>How long a guest asked to shut down gets before the monitor is stopped.</summary>
    public TimeSpan GuestShutdownGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping monitor gets before the instance is killed.</summary>
    public TimeSpan MonitorStopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a killed instance gets to report its exit before it is abandoned.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First restart delay; doubles per restart within <see cref="RestartWindow"/>.</summary>
    public TimeSpan RestartBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap on the restart delay.</summary>
    public TimeSpan RestartMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Restarts allowed within <see cref="RestartWindow"/> before giving up.</summary>
    public int RestartBurst { get; init; } = 5;

    /// <summary>The sliding window of <see cref="RestartBurst"/>.</summary>
    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromSeconds(60);
}
