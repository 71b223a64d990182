namespace Concierge.Service.Storage;

/// <summary>The result of creating a disk image.</summary>
/// <param name="Outcome">Whether it was made now or existed.</param>
/// <param name="Image">The image.</param>
public sealed record DiskCreateResult(DiskCreateOutcome Outcome, DiskImageInfo Image);
