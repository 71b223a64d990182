namespace Concierge.Service.Supervision;

/// <summary>An immutable view of a supervised VM at one moment (what GetVmInfo and properties show).</summary>
public sealed record VmStatusSnapshot
{
    /// <summary>Lifecycle state.</summary>
    public VmState State { get; init; } = VmState.Stopped;

    /// <summary>Heartbeat health (Unknown unless running).</summary>
    public VmHealth Health { get; init; } = VmHealth.Unknown;

    /// <summary>Why it stopped, once it has.</summary>
    public VmStopReason? StopReason { get; init; }

    /// <summary>How it failed, when it did.</summary>
    public string? FailureReason { get; init; }

    /// <summary>When the current instance was started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>From start to the guest's hello.</summary>
    public TimeSpan? BootDuration { get; init; }

    /// <summary>When the last hello or heartbeat arrived.</summary>
    public DateTimeOffset? LastHeartbeatAt { get; init; }

    /// <summary>What the guest reported of itself in its last heartbeat of this run.</summary>
    public GuestVitals? GuestVitals { get; init; }

    /// <summary>Heartbeats of this run the host never got: the gaps in their sequence numbers.</summary>
    public ulong HeartbeatsMissed { get; init; }

    /// <summary>The guest's kernel release, from its hello.</summary>
    public string? KernelVersion { get; init; }

    /// <summary>Automatic restarts so far.</summary>
    public int RestartCount { get; init; }

    /// <summary>When a restart is pending, how long until it.</summary>
    public TimeSpan? RestartDelay { get; init; }
}
