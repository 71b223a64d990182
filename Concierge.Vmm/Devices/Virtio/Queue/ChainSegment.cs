namespace Concierge.Vmm.Devices.Virtio.Queue;

/// <summary>One validated buffer of a descriptor chain: it lies wholly inside guest RAM.</summary>
/// <param name="Address">Guest-physical start.</param>
/// <param name="Length">Length in bytes (never zero: empty descriptors are dropped).</param>
public readonly record struct ChainSegment(ulong Address, uint Length);
