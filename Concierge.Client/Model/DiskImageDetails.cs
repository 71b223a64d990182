namespace Concierge.Client;

/// <summary>One disk image the service keeps for the caller.</summary>
/// <param name="Name">The VM the disk belongs to.</param>
/// <param name="Path">Where the service keeps it.</param>
/// <param name="SizeBytes">Its size.</param>
public sealed record DiskImageDetails(string Name, string Path, ulong SizeBytes);
