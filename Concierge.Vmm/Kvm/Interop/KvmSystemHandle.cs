namespace Concierge.Vmm.Kvm.Interop;

/// <summary>/dev/kvm, the KVM system handle.</summary>
internal sealed class KvmSystemHandle : FileDescriptorHandle
{
    public KvmSystemHandle(int fd) : base(fd)
    {
    }
}
