using Concierge.Vmm.Kvm;
using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Boot;

/// <summary>The MSRs every vCPU starts with (as Firecracker and Cloud Hypervisor set them). Set after CPUID.</summary>
internal static class BootMsrs
{
    private const uint Ia32Tsc = 0x10;
    private const uint Ia32SysenterCs = 0x174;
    private const uint Ia32SysenterEsp = 0x175;
    private const uint Ia32SysenterEip = 0x176;
    private const uint Ia32MiscEnable = 0x1A0;
    private const uint MtrrDefType = 0x2FF;
    private const uint Star = 0xC000_0081;
    private const uint Lstar = 0xC000_0082;
    private const uint Cstar = 0xC000_0083;
    private const uint SyscallMask = 0xC000_0084;
    private const uint KernelGsBase = 0xC000_0102;
    private const ulong MiscEnableFastStrings = 1;
    private const ulong MtrrEnabledWriteBack = (1 << 11) | 6;

    public static void Apply(KvmVcpu vcpu)
    {
        KvmMsrEntry[] entries =
        [
            new() { Index = Ia32SysenterCs },
            new() { Index = Ia32SysenterEsp },
            new() { Index = Ia32SysenterEip },
            new() { Index = Star },
            new() { Index = Cstar },
            new() { Index = KernelGsBase },
            new() { Index = SyscallMask },
            new() { Index = Lstar },
            new() { Index = Ia32Tsc },
            new() { Index = Ia32MiscEnable, Data = MiscEnableFastStrings },
            new() { Index = MtrrDefType, Data = MtrrEnabledWriteBack },
        ];
        vcpu.SetMsrs(entries);
    }
}
