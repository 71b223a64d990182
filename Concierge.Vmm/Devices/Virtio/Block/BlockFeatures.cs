namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>virtio-blk feature bits this device uses (virtio 1.x, 5.2.3).</summary>
public static class BlockFeatures
{
    /// <summary>VIRTIO_BLK_F_SEG_MAX: config seg_max bounds the data segments of one request.</summary>
    public const ulong SegMax = 1UL << 2;

    /// <summary>VIRTIO_BLK_F_RO: the disk is read-only.</summary>
    public const ulong ReadOnly = 1UL << 5;

    /// <summary>VIRTIO_BLK_F_FLUSH: the driver must send FLUSH to make writes durable (write-back cache).</summary>
    public const ulong Flush = 1UL << 9;

    /// <summary>VIRTIO_BLK_F_DISCARD: DISCARD requests, limits in config max_discard_sectors/max_discard_seg.</summary>
    public const ulong Discard = 1UL << 13;

    /// <summary>VIRTIO_BLK_F_WRITE_ZEROES: WRITE_ZEROES requests, limits in config max_write_zeroes_sectors/max_write_zeroes_seg.</summary>
    public const ulong WriteZeroes = 1UL << 14;
}
