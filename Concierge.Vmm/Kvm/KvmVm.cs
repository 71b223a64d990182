using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Kvm;

/// <summary>A KVM VM file descriptor and the VM-wide calls on it. Thread-safe: KVM serialises them.</summary>
internal sealed class KvmVm : IDisposable
{
    private readonly KvmVmHandle _handle;
    private readonly int _vcpuMmapSize;

    public KvmVm(KvmVmHandle handle, int vcpuMmapSize)
    {
        _handle = handle;
        _vcpuMmapSize = vcpuMmapSize;
    }

    /// <summary>KVM_SET_USER_MEMORY_REGION: maps host memory at <paramref name="hostAddress"/> into guest-physical space.</summary>
    public void SetUserMemoryRegion(uint slot, ulong guestAddress, ulong size, nint hostAddress)
    {
        var region = new KvmUserspaceMemoryRegion
        {
            Slot = slot,
            GuestPhysAddr = guestAddress,
            MemorySize = size,
            UserspaceAddr = (ulong)hostAddress,
        };
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetUserMemoryRegion, ref region), "KVM_SET_USER_MEMORY_REGION");
    }

    /// <summary>KVM_SET_TSS_ADDR: three pages below 4 GiB, outside every memory slot, that KVM uses on Intel hosts.</summary>
    public void SetTssAddress(uint address) =>
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetTssAddr, address), "KVM_SET_TSS_ADDR");

    /// <summary>KVM_SET_IDENTITY_MAP_ADDR: one page below 4 GiB, outside every memory slot.</summary>
    public void SetIdentityMapAddress(ulong address) =>
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetIdentityMapAddr, ref address), "KVM_SET_IDENTITY_MAP_ADDR");

    /// <summary>KVM_CREATE_IRQCHIP: in-kernel PIC, IOAPIC and per-vCPU LAPICs (before any vCPU exists).</summary>
    public void CreateIrqchip() =>
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.CreateIrqchip, 0), "KVM_CREATE_IRQCHIP");

    /// <summary>KVM_CREATE_PIT2 with the given KVM_PIT_* flags.</summary>
    public void CreatePit2(uint flags)
    {
        var config = new KvmPitConfig { Flags = flags };
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.CreatePit2, ref config), "KVM_CREATE_PIT2");
    }

    /// <summary>KVM_IRQ_LINE: drives GSI <paramref name="gsi"/> high or low.</summary>
    public void SetIrqLine(uint gsi, bool high)
    {
        var level = new KvmIrqLevel { Irq = gsi, Level = high ? 1u : 0u };
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.IrqLine, ref level), "KVM_IRQ_LINE");
    }

    /// <summary>KVM_SIGNAL_MSI: injects one MSI; returns false when the guest has it masked or blocked.</summary>
    public bool SignalMsi(ulong address, uint data)
    {
        var msi = new KvmMsi { AddressLo = (uint)address, AddressHi = (uint)(address >> 32), Data = data };
        return KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SignalMsi, ref msi), "KVM_SIGNAL_MSI") > 0;
    }

    /// <summary>KVM_IOEVENTFD: a guest write of <paramref name="length"/> bytes at <paramref name="address"/> signals <paramref name="eventFd"/> in the kernel.</summary>
    public void SetIoeventfd(EventFd eventFd, ulong address, uint length, bool portIo, ulong? dataMatch, bool assign)
    {
        var flags = (portIo ? KvmIoeventfd.FlagPio : 0)
            | (dataMatch.HasValue ? KvmIoeventfd.FlagDataMatch : 0)
            | (assign ? 0 : KvmIoeventfd.FlagDeassign);
        var ioeventfd = new KvmIoeventfd { Addr = address, Len = length, Fd = eventFd.Handle.Fd, DataMatch = dataMatch ?? 0, Flags = flags };
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.Ioeventfd, ref ioeventfd), "KVM_IOEVENTFD");
    }

    /// <summary>KVM_CREATE_VCPU with APIC ID <paramref name="id"/>, and its shared kvm_run page.</summary>
    public KvmVcpu CreateVcpu(int id)
    {
        var fd = KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.CreateVcpu, (nuint)id), "KVM_CREATE_VCPU");
        var handle = new KvmVcpuHandle(fd);
        try
        {
            return new KvmVcpu(id, handle, KvmRunMapping.Map(handle, _vcpuMmapSize));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
