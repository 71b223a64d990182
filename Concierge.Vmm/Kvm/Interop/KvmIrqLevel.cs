using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_irq_level: the level of one GSI of the in-kernel irqchip.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmIrqLevel
{
    public uint Irq;
    public uint Level;
}
