namespace Concierge.Vmm.Kvm.Interop;

/// <summary>A vCPU created by KVM_CREATE_VCPU.</summary>
internal sealed class KvmVcpuHandle : FileDescriptorHandle
{
    public KvmVcpuHandle(int fd) : base(fd)
    {
    }
}
