namespace Concierge.Vmm.Devices.Virtio;

/// <summary>
/// One queue's doorbell that a device worker can sleep on itself, so the guest's kick wakes it
/// with no relay thread in between (virtio-pci: the queue's ioeventfd, which KVM signals in the
/// kernel). Rings coalesce: a ring while nobody sleeps is kept for the next wait. Thread-safe.
/// </summary>
public interface IQueueDoorbell
{
    /// <summary>Rings from the host side (a host event for the worker).</summary>
    void Ring();

    /// <summary>Sleeps until rung; returns at once when rung since the last return.</summary>
    void Wait();
}
