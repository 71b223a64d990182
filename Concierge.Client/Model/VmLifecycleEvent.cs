namespace Concierge.Client;

/// <summary>One lifecycle signal.</summary>
public sealed record VmLifecycleEvent
{
    /// <summary>Which signal.</summary>
    public required VmLifecycleEventKind Kind { get; init; }

    /// <summary>The VM's name.</summary>
    public required string Name { get; init; }

    /// <summary>The owner's uid as decimal text.</summary>
    public string OwnerId { get; init; } = string.Empty;

    /// <summary>The VM's vsock CID (0 when the signal does not carry one).</summary>
    public long Cid { get; init; }

    /// <summary>Why it stopped (<see cref="VmLifecycleEventKind.Stopped"/> only).</summary>
    public string? StopReason { get; init; }

    /// <summary>Why it failed (<see cref="VmLifecycleEventKind.Stopped"/> after a failure).</summary>
    public string? FailureReason { get; init; }

    /// <summary>The VM as it started (<see cref="VmLifecycleEventKind.Started"/> only).</summary>
    public VmDetails? Details { get; init; }
}
