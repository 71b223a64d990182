using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_lapic_state: the 1 KiB register page of the in-kernel local APIC.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmLapicState
{
    public Registers Regs;

    /// <summary>char regs[KVM_APIC_REG_SIZE].</summary>
    [InlineArray(1024)]
    public struct Registers
    {
        private byte _element;
    }
}
