namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>virtio-vsock packet operations (virtio 1.x, 5.10.6).</summary>
public enum VsockOp : ushort
{
    /// <summary>VIRTIO_VSOCK_OP_INVALID.</summary>
    Invalid = 0,

    /// <summary>Connect request.</summary>
    Request = 1,

    /// <summary>Connect accepted.</summary>
    Response = 2,

    /// <summary>Connection refused or torn down.</summary>
    Rst = 3,

    /// <summary>The sender stops receiving and/or sending (see <see cref="VsockHeader.Flags"/>).</summary>
    Shutdown = 4,

    /// <summary>Stream data.</summary>
    ReadWrite = 5,

    /// <summary>The sender's buf_alloc/fwd_cnt changed.</summary>
    CreditUpdate = 6,

    /// <summary>Please send a credit update.</summary>
    CreditRequest = 7,
}
