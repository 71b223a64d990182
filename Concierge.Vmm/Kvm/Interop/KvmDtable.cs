using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_dtable: a descriptor-table register (GDTR/IDTR).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmDtable
{
    public ulong Base;
    public ushort Limit;
    public ushort Padding0, Padding1, Padding2;
}
