using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_sregs: segment, descriptor-table and control registers of a vCPU.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmSregs
{
    public KvmSegment Cs, Ds, Es, Fs, Gs, Ss;
    public KvmSegment Tr, Ldt;
    public KvmDtable Gdt, Idt;
    public ulong Cr0, Cr2, Cr3, Cr4, Cr8;
    public ulong Efer;
    public ulong ApicBase;
    public InterruptBitmap Interrupts;

    /// <summary>__u64 interrupt_bitmap[(KVM_NR_INTERRUPTS + 63) / 64] with 256 interrupts.</summary>
    [InlineArray(4)]
    public struct InterruptBitmap
    {
        private ulong _element;
    }
}
