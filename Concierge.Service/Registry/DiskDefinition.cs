namespace Concierge.Service.Registry;

/// <summary>An extra disk of a VM, after its root file system: the guest sees them as /dev/vdb, /dev/vdc, … in order.</summary>
/// <param name="Path">The raw image; empty when it came as a passed fd (see <see cref="VmDefinition.FromPassedFds"/>).</param>
/// <param name="Writable">False when the guest may only read it.</param>
public sealed record DiskDefinition(string Path, bool Writable);
