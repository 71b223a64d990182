namespace Concierge.Vmm.Kvm.Interop;

/// <summary>An eventfd(2) counter, for irqfd and ioeventfd.</summary>
internal sealed class EventFdHandle : FileDescriptorHandle
{
    public EventFdHandle(int fd) : base(fd)
    {
    }
}
