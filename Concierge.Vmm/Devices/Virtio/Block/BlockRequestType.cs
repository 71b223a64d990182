namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>virtio-blk request types (virtio 1.x, 5.2.6).</summary>
public enum BlockRequestType : uint
{
    /// <summary>VIRTIO_BLK_T_IN: read sectors into the guest.</summary>
    In = 0,

    /// <summary>VIRTIO_BLK_T_OUT: write guest data to sectors.</summary>
    Out = 1,

    /// <summary>VIRTIO_BLK_T_FLUSH: make every acknowledged write durable.</summary>
    Flush = 4,

    /// <summary>VIRTIO_BLK_T_GET_ID: the device's serial string (20 bytes, not NUL-terminated when full).</summary>
    GetId = 8,

    /// <summary>VIRTIO_BLK_T_DISCARD: the listed ranges' contents are no longer needed (a hint).</summary>
    Discard = 11,

    /// <summary>VIRTIO_BLK_T_WRITE_ZEROES: the listed ranges read back as zeroes afterwards.</summary>
    WriteZeroes = 13,
}
