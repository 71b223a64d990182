namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>The status byte the device writes last in every request.</summary>
public enum BlockStatus : byte
{
    /// <summary>VIRTIO_BLK_S_OK.</summary>
    Ok = 0,

    /// <summary>VIRTIO_BLK_S_IOERR: the host failed the I/O, or the disk is read-only.</summary>
    IoError = 1,

    /// <summary>VIRTIO_BLK_S_UNSUPP: a request type this device does not implement.</summary>
    Unsupported = 2,
}
