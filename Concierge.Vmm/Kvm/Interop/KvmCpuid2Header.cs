using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>The fixed head of struct kvm_cpuid2; <see cref="KvmCpuidEntry2"/> entries follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmCpuid2Header
{
    public uint Nent;
    public uint Padding;
}
