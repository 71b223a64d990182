using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_cpuid_entry2: the result of one CPUID leaf/subleaf.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuidEntry2
{
    /// <summary>KVM_CPUID_FLAG_SIGNIFCANT_INDEX: the subleaf (ECX input) selects this entry.</summary>
    public const uint FlagSignificantIndex = 1;

    public uint Function;
    public uint Index;
    public uint Flags;
    public uint Eax, Ebx, Ecx, Edx;
    public uint Padding0, Padding1, Padding2;
}
