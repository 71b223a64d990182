using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Kvm;

/// <summary>
/// An open /dev/kvm: the KVM API version, the extensions the host offers, the CPUID it
/// supports, and the factory for VMs. Every capability the monitor relies on is checked here
/// once, so a host that lacks one fails with a message naming it instead of an odd errno later.
/// </summary>
internal sealed class KvmSystem : IDisposable
{
    public const string DevicePath = "/dev/kvm";
    private const int StableApiVersion = 12;
    private const int MaxCpuidEntries = 1024;

    /// <summary>What the monitor needs from the host KVM, with the reason it is needed.</summary>
    private static readonly (KvmCapability Capability, string Why)[] Required =
    [
        (KvmCapability.Irqchip, "in-kernel PIC/IOAPIC/LAPIC"),
        (KvmCapability.UserMemory, "guest RAM memory slots"),
        (KvmCapability.SetTssAddr, "the TSS region for the guest"),
        (KvmCapability.SetIdentityMapAddr, "the identity-map page"),
        (KvmCapability.ExtCpuid, "KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2"),
        (KvmCapability.Pit2, "the in-kernel PIT"),
        (KvmCapability.Irqfd, "eventfd interrupts for devices"),
        (KvmCapability.Ioeventfd, "eventfd doorbells for devices"),
        (KvmCapability.SignalMsi, "MSI delivery for PCI devices"),
        (KvmCapability.ImmediateExit, "stopping vCPUs without races"),
    ];

    private readonly KvmSystemHandle _handle;

    private KvmSystem(KvmSystemHandle handle)
    {
        _handle = handle;
        VcpuMmapSize = KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.GetVcpuMmapSize, 0), "KVM_GET_VCPU_MMAP_SIZE");
    }

    /// <summary>Size of each vCPU's shared kvm_run mapping.</summary>
    public int VcpuMmapSize { get; }

    /// <summary>Opens /dev/kvm and checks the API version and every required extension.</summary>
    /// <exception cref="KvmException">No usable KVM here, or it lacks something we need.</exception>
    public static KvmSystem Open(string path = DevicePath)
    {
        var fd = Libc.Open(path, Libc.ORdWr | Libc.OCloExec);
        if (fd < 0)
        {
            KvmException.Throw($"open {path}", Marshal.GetLastPInvokeError());
        }
        var system = new KvmSystem(new KvmSystemHandle(fd));
        try
        {
            var version = KvmException.ThrowIfFailed(Libc.Ioctl(system._handle, KvmIoctls.GetApiVersion, 0), "KVM_GET_API_VERSION");
            if (version != StableApiVersion)
            {
                throw new KvmException("KVM_GET_API_VERSION", $"API version {version}, expected {StableApiVersion}");
            }
            foreach (var (capability, why) in Required)
            {
                system.Require(capability, why);
            }
            return system;
        }
        catch
        {
            system.Dispose();
            throw;
        }
    }

    /// <summary>KVM_CHECK_EXTENSION: 0 when absent, else a capability-specific positive value.</summary>
    public int CheckExtension(KvmCapability capability) =>
        Math.Max(0, Libc.Ioctl(_handle, KvmIoctls.CheckExtension, (nuint)capability));

    /// <summary>The most vCPUs one VM may have on this host.</summary>
    public int MaxVcpus
    {
        get
        {
            var max = CheckExtension(KvmCapability.MaxVcpus);
            return max > 0 ? max : Math.Max(4, CheckExtension(KvmCapability.NrVcpus));
        }
    }

    /// <summary>KVM_GET_SUPPORTED_CPUID: every leaf the host can offer a guest.</summary>
    public KvmCpuidEntry2[] GetSupportedCpuid()
    {
        var buffer = new byte[Unsafe.SizeOf<KvmCpuid2Header>() + MaxCpuidEntries * Unsafe.SizeOf<KvmCpuidEntry2>()];
        MemoryMarshal.Write(buffer, new KvmCpuid2Header { Nent = MaxCpuidEntries });
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.GetSupportedCpuid, ref buffer[0]), "KVM_GET_SUPPORTED_CPUID");
        var count = (int)Math.Min(MemoryMarshal.Read<KvmCpuid2Header>(buffer).Nent, MaxCpuidEntries);
        return MemoryMarshal.Cast<byte, KvmCpuidEntry2>(buffer.AsSpan(Unsafe.SizeOf<KvmCpuid2Header>()))[..count].ToArray();
    }

    /// <summary>KVM_CREATE_VM: a new, empty VM.</summary>
    public KvmVm CreateVm()
    {
        var fd = KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.CreateVm, 0), "KVM_CREATE_VM");
        return new KvmVm(new KvmVmHandle(fd), VcpuMmapSize);
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private void Require(KvmCapability capability, string why)
    {
        if (CheckExtension(capability) <= 0)
        {
            throw new KvmException("KVM_CHECK_EXTENSION", $"the host's KVM lacks KVM_CAP_{capability} ({why})");
        }
    }
}
