namespace Concierge.Vmm.Devices.Virtio.Queue;

/// <summary>Where the driver placed one split virtqueue, exactly as it programmed the transport (unvalidated).</summary>
/// <param name="Size">Number of descriptors (a power of two no larger than the device's maximum).</param>
/// <param name="DescriptorTable">Guest address of the descriptor table (16-byte aligned).</param>
/// <param name="AvailableRing">Guest address of the driver ("available") ring (2-byte aligned).</param>
/// <param name="UsedRing">Guest address of the device ("used") ring (4-byte aligned).</param>
public readonly record struct VirtQueueLayout(ushort Size, ulong DescriptorTable, ulong AvailableRing, ulong UsedRing)
{
    /// <summary>Bytes of the descriptor table.</summary>
    public ulong DescriptorTableBytes => 16UL * Size;

    /// <summary>Bytes of the available ring: flags, idx, ring[Size], used_event.</summary>
    public ulong AvailableRingBytes => 6UL + (2UL * Size);

    /// <summary>Bytes of the used ring: flags, idx, ring[Size], avail_event.</summary>
    public ulong UsedRingBytes => 6UL + (8UL * Size);
}
