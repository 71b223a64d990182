namespace Concierge.Client;

/// <summary>An extra disk to attach: a raw image, writable or read-only for the guest.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Writable">False when the guest may only read it.</param>
public sealed record VmDisk(string Path, bool Writable);
