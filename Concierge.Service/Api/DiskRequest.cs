using Microsoft.Win32.SafeHandles;

namespace Concierge.Service.Api;

/// <summary>An extra disk as a start request names it: by path (checked by <see cref="ImagePathPolicy"/>) or as an fd the caller opened.</summary>
/// <param name="Path">The image's path, or null when <paramref name="Fd"/> is given.</param>
/// <param name="Fd">The image as a passed fd, or null.</param>
/// <param name="Writable">False for a disk the guest may only read.</param>
public sealed record DiskRequest(string? Path, SafeFileHandle? Fd, bool Writable);
