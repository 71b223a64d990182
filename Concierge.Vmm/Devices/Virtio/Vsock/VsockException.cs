namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>A vsock connection was refused, reset by the guest, or lost with a device reset.</summary>
public sealed class VsockException : IOException
{
    /// <summary>Creates the exception with a message.</summary>
    public VsockException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public VsockException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public VsockException() : base("vsock connection failed")
    {
    }
}
