namespace Concierge.Service.Storage;

/// <summary>One disk image of an owner.</summary>
/// <param name="VmName">The VM the image belongs to.</param>
/// <param name="Path">Its file.</param>
/// <param name="SizeBytes">Its apparent size (what the guest sees).</param>
public sealed record DiskImageInfo(string VmName, string Path, ulong SizeBytes);
