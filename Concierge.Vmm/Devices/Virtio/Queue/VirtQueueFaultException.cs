namespace Concierge.Vmm.Devices.Virtio.Queue;

/// <summary>The driver put something into a virtqueue that no correct driver would (a loop, a bad address, a wild index).</summary>
public sealed class VirtQueueFaultException : GuestFaultException
{
    /// <summary>Creates the exception with a message naming what the guest did.</summary>
    public VirtQueueFaultException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the fault that caused it.</summary>
    public VirtQueueFaultException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public VirtQueueFaultException() : base("invalid virtqueue contents")
    {
    }
}
