using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Kvm;

namespace Concierge.Vmm.Devices.Pci;

/// <summary>A queue's ioeventfd as a doorbell a device worker sleeps on: KVM signals it for the guest's kick.</summary>
internal sealed class EventFdDoorbell(EventFd eventFd) : IQueueDoorbell
{
    public void Ring() => eventFd.Signal();

    public void Wait() => eventFd.Wait();
}
