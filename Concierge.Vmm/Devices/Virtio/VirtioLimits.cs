namespace Concierge.Vmm.Devices.Virtio;

/// <summary>
/// Every bound on work a guest can ask of a virtio device, in one place. A guest that goes past
/// one of these is misbehaving: the device marks itself broken rather than loop or allocate.
/// </summary>
public static class VirtioLimits
{
    /// <summary>Largest queue the devices offer (the guest may choose a smaller power of two).</summary>
    public const ushort MaxQueueSize = 256;

    /// <summary>
    /// Most descriptors one chain may visit. A chain that visits more than the queue holds must
    /// revisit one, i.e. it loops; this caps the walk regardless of the negotiated size.
    /// </summary>
    public const int MaxChainDescriptors = MaxQueueSize;

    /// <summary>Most bytes one chain may describe in total (readable plus writable).</summary>
    public const uint MaxChainBytes = 16 << 20;

    /// <summary>Most chains a device worker takes from one queue before it looks at its other queues and at stop requests.</summary>
    public const int MaxChainsPerPass = 1024;

    /// <summary>Data segments a block request may carry (advertised to the guest as seg_max).</summary>
    public const uint BlockMaxSegments = MaxQueueSize - 2;

    /// <summary>Ranges one DISCARD or WRITE_ZEROES request may list (max_discard_seg, max_write_zeroes_seg).</summary>
    public const uint BlockMaxRangeSegments = 32;

    /// <summary>
    /// Sectors one DISCARD or WRITE_ZEROES range may cover (2 GiB): bounds the zero-filling a
    /// write-zeroes falls back to on a file system without fallocate support.
    /// </summary>
    public const uint BlockMaxRangeSectors = 4u << 20;

    /// <summary>Most random bytes handed out for one rng request.</summary>
    public const int RngMaxBytesPerRequest = 64 << 10;

    /// <summary>Largest vsock packet payload accepted from the guest (Linux sends at most 64 KiB).</summary>
    public const int VsockMaxPacketPayload = 64 << 10;

    /// <summary>Receive buffer each vsock connection advertises to the guest as buf_alloc.</summary>
    public const int VsockConnectionBufferBytes = 256 << 10;

    /// <summary>Open vsock connections one VM may hold at once (both directions together).</summary>
    public const int VsockMaxConnections = 256;

    /// <summary>Host-initiated connections not yet answered by the guest, and guest-initiated ones not yet accepted, per listener.</summary>
    public const int VsockMaxPendingConnections = 64;
}
