namespace Concierge.Client;

/// <summary>One VM as the service reports it (either face).</summary>
public sealed record VmDetails
{
    /// <summary>The VM's name.</summary>
    public required string Name { get; init; }

    /// <summary>The owner's uid, as decimal text.</summary>
    public string OwnerId { get; init; } = string.Empty;

    /// <summary>Lifecycle state.</summary>
    public VmState State { get; init; }

    /// <summary>Health from heartbeats.</summary>
    public VmHealth Health { get; init; }

    /// <summary>The vsock context id while active; 0 otherwise.</summary>
    public long Cid { get; init; }

    /// <summary>Virtual CPUs.</summary>
    public uint Vcpus { get; init; }

    /// <summary>Guest RAM in MiB.</summary>
    public ulong MemoryMiB { get; init; }

    /// <summary>When the current (or last) run started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>From monitor start to the guest's hello.</summary>
    public TimeSpan? BootDuration { get; init; }

    /// <summary>The last heartbeat.</summary>
    public DateTimeOffset? LastHeartbeatAt { get; init; }

    /// <summary>Why the last run stopped (the typed face's words, e.g. "stop-requested"), when it has stopped.</summary>
    public string? StopReason { get; init; }

    /// <summary>Why it failed, when it failed.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Restarts by the restart policy in the current burst.</summary>
    public uint RestartCount { get; init; }

    /// <summary>The guest kernel's version from its hello.</summary>
    public string? KernelVersion { get; init; }

    /// <summary>What the guest reported of itself in its last heartbeat of this run; null before one.</summary>
    public GuestVitals? Guest { get; init; }

    /// <summary>Heartbeats of this run the service never got.</summary>
    public ulong HeartbeatsMissed { get; init; }

    /// <summary>How long the VM has been up at <paramref name="now"/>, while it is active.</summary>
    public TimeSpan? UptimeAt(DateTimeOffset now) =>
        State is VmState.Starting or VmState.Running or VmState.Suspended or VmState.Stopping && StartedAt is { } started && now >= started
            ? now - started
            : null;
}
