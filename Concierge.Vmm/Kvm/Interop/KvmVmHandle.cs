namespace Concierge.Vmm.Kvm.Interop;

/// <summary>A VM created by KVM_CREATE_VM.</summary>
internal sealed class KvmVmHandle : FileDescriptorHandle
{
    public KvmVmHandle(int fd) : base(fd)
    {
    }
}
