namespace Concierge.Service.Registry;

/// <summary>The persisted registry: a versioned list of records.</summary>
public sealed record RegistryDocument
{
    /// <summary>The format this build writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The format of the file.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>Every known VM.</summary>
    public IReadOnlyList<VmRecord> Vms { get; init; } = [];
}
