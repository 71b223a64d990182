using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_msr_entry: one model-specific register and its value.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsrEntry
{
    public uint Index;
    public uint Reserved;
    public ulong Data;
}
