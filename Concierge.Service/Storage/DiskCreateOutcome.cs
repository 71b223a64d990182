namespace Concierge.Service.Storage;

/// <summary>What CreateDiskImage did.</summary>
public enum DiskCreateOutcome
{
    /// <summary>A new image was made.</summary>
    Created,

    /// <summary>The VM already had an image; it was left as it was.</summary>
    Exists,
}
