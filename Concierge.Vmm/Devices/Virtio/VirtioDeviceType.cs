namespace Concierge.Vmm.Devices.Virtio;

/// <summary>Virtio device IDs (virtio 1.x, section 5); the PCI device ID is 0x1040 plus this.</summary>
public enum VirtioDeviceType : ushort
{
    /// <summary>virtio-blk.</summary>
    Block = 2,

    /// <summary>virtio-rng (entropy source).</summary>
    Rng = 4,

    /// <summary>virtio-vsock.</summary>
    Vsock = 19,
}
