using System.Text.Json.Serialization;
using Concierge.Service.Supervision;

namespace Concierge.Service.Registry;

/// <summary>What the registry keeps about one VM (persisted).</summary>
public sealed record VmRecord
{
    /// <summary>The owner's uid.</summary>
    public required uint Owner { get; init; }

    /// <summary>The VM name.</summary>
    public required string Name { get; init; }

    /// <summary>How the VM was asked for.</summary>
    public required VmDefinition Definition { get; init; }

    /// <summary>The last known state.</summary>
    public VmState State { get; init; } = VmState.Stopped;

    /// <summary>Why it last stopped, if it did.</summary>
    public VmStopReason? StopReason { get; init; }

    /// <summary>How it last failed, if it did.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Its vsock CID while active.</summary>
    public uint? Cid { get; init; }

    /// <summary>When it last entered <see cref="State"/>.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The registry key.</summary>
    [JsonIgnore]
    public VmKey Key => new(Owner, Name);

    /// <summary>True in the states where a monitor exists.</summary>
    [JsonIgnore]
    public bool IsActive => State is VmState.Starting or VmState.Running or VmState.Stopping or VmState.Suspended;
}
