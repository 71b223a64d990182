using System.Runtime.CompilerServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>The KVM ioctl request numbers we use, computed from linux/kvm.h's definitions.</summary>
internal static class KvmIoctls
{
    private const uint Kvmio = 0xAE;

    // System (/dev/kvm) ioctls.
    public static readonly nuint GetApiVersion = IoctlNumber.Io(Kvmio, 0x00);
    public static readonly nuint CreateVm = IoctlNumber.Io(Kvmio, 0x01);
    public static readonly nuint CheckExtension = IoctlNumber.Io(Kvmio, 0x03);
    public static readonly nuint GetVcpuMmapSize = IoctlNumber.Io(Kvmio, 0x04);
    public static readonly nuint GetSupportedCpuid = IoctlNumber.IoWR(Kvmio, 0x05, Unsafe.SizeOf<KvmCpuid2Header>());

    // VM ioctls.
    public static readonly nuint CreateVcpu = IoctlNumber.Io(Kvmio, 0x41);
    public static readonly nuint SetUserMemoryRegion = IoctlNumber.IoW(Kvmio, 0x46, Unsafe.SizeOf<KvmUserspaceMemoryRegion>());
    public static readonly nuint SetTssAddr = IoctlNumber.Io(Kvmio, 0x47);
    public static readonly nuint SetIdentityMapAddr = IoctlNumber.IoW(Kvmio, 0x48, sizeof(ulong));
    public static readonly nuint CreateIrqchip = IoctlNumber.Io(Kvmio, 0x60);
    public static readonly nuint IrqLine = IoctlNumber.IoW(Kvmio, 0x61, Unsafe.SizeOf<KvmIrqLevel>());
    public static readonly nuint CreatePit2 = IoctlNumber.IoW(Kvmio, 0x77, Unsafe.SizeOf<KvmPitConfig>());
    public static readonly nuint Ioeventfd = IoctlNumber.IoW(Kvmio, 0x79, Unsafe.SizeOf<KvmIoeventfd>());
    public static readonly nuint SignalMsi = IoctlNumber.IoW(Kvmio, 0xA5, Unsafe.SizeOf<KvmMsi>());

    // vCPU ioctls.
    public static readonly nuint Run = IoctlNumber.Io(Kvmio, 0x80);
    public static readonly nuint GetRegs = IoctlNumber.IoR(Kvmio, 0x81, Unsafe.SizeOf<KvmRegs>());
    public static readonly nuint SetRegs = IoctlNumber.IoW(Kvmio, 0x82, Unsafe.SizeOf<KvmRegs>());
    public static readonly nuint GetSregs = IoctlNumber.IoR(Kvmio, 0x83, Unsafe.SizeOf<KvmSregs>());
    public static readonly nuint SetSregs = IoctlNumber.IoW(Kvmio, 0x84, Unsafe.SizeOf<KvmSregs>());
    public static readonly nuint SetMsrs = IoctlNumber.IoW(Kvmio, 0x89, Unsafe.SizeOf<KvmMsrsHeader>());
    public static readonly nuint SetSignalMask = IoctlNumber.IoW(Kvmio, 0x8B, sizeof(uint));
    public static readonly nuint SetFpu = IoctlNumber.IoW(Kvmio, 0x8D, Unsafe.SizeOf<KvmFpu>());
    public static readonly nuint GetLapic = IoctlNumber.IoR(Kvmio, 0x8E, Unsafe.SizeOf<KvmLapicState>());
    public static readonly nuint SetLapic = IoctlNumber.IoW(Kvmio, 0x8F, Unsafe.SizeOf<KvmLapicState>());
    public static readonly nuint SetCpuid2 = IoctlNumber.IoW(Kvmio, 0x90, Unsafe.SizeOf<KvmCpuid2Header>());
    public static readonly nuint KvmclockCtrl = IoctlNumber.Io(Kvmio, 0xAD);
}
