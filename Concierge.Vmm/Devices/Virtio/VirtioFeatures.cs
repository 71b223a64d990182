namespace Concierge.Vmm.Devices.Virtio;

/// <summary>Transport-level feature bits (virtio 1.x, section 6), shared by every device.</summary>
public static class VirtioFeatures
{
    /// <summary>VIRTIO_F_INDIRECT_DESC: never offered, so a descriptor flagged indirect is a guest fault.</summary>
    public const ulong IndirectDescriptors = 1UL << 28;

    /// <summary>VIRTIO_F_RING_EVENT_IDX: used_event / avail_event notification suppression.</summary>
    public const ulong RingEventIndex = 1UL << 29;

    /// <summary>VIRTIO_F_VERSION_1: a modern (non-legacy) device; required of every driver.</summary>
    public const ulong Version1 = 1UL << 32;

    /// <summary>What every device offers on top of its own bits.</summary>
    public const ulong Transport = Version1 | RingEventIndex;
}
