namespace Concierge.Service.Registry;

/// <summary>What the registry repaired at start after a crash of the service.</summary>
public sealed record ReconcileReport
{
    /// <summary>Temp files of interrupted state writes that were deleted.</summary>
    public IReadOnlyList<string> RemovedTempFiles { get; init; } = [];

    /// <summary>Disk images whose creation was interrupted, deleted.</summary>
    public IReadOnlyList<string> RemovedPartialImages { get; init; } = [];

    /// <summary>VMs that were marked active and are now stopped (no monitor survives the service).</summary>
    public IReadOnlyList<VmKey> StoppedVms { get; init; } = [];

    /// <summary>Where an unreadable state file was moved (or, with <see cref="SetAsideRecords"/>, copied) aside, if it was.</summary>
    public string? QuarantinedStateFile { get; init; }

    /// <summary>Records of the state file that were left out, each with why.</summary>
    public IReadOnlyList<string> SetAsideRecords { get; init; } = [];

    /// <summary>True when nothing needed repair.</summary>
    public bool IsClean => RemovedTempFiles.Count == 0 && RemovedPartialImages.Count == 0
        && StoppedVms.Count == 0 && QuarantinedStateFile is null && SetAsideRecords.Count == 0;
}
