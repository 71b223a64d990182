namespace Concierge.Vmm.Devices.Virtio;

/// <summary>
/// What a device needs from the transport that carries it (virtio-pci here): interrupts and a
/// way to say it is broken. Called from the device's worker thread; implementations must not
/// block on anything a vCPU thread holds while it resets the device.
/// </summary>
public interface IVirtioTransport
{
    /// <summary>Interrupts the guest for new entries in the used ring of queue <paramref name="queueIndex"/>.</summary>
    void SignalQueue(int queueIndex);

    /// <summary>The device stopped working until the guest resets it; <paramref name="reason"/> names what the guest did.</summary>
    void ReportBroken(string reason);

    /// <summary>
    /// The doorbell of queue <paramref name="queueIndex"/> for the worker to sleep on directly, or
    /// null when every kick arrives through <see cref="VirtioDevice.Notify"/>. The transport keeps it
    /// usable until the device is disposed.
    /// </summary>
    IQueueDoorbell? DirectDoorbell(int queueIndex) => null;
}
