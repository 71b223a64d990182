using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_irqfd: binds an eventfd to a GSI so a write to it injects the interrupt.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmIrqfd
{
    /// <summary>KVM_IRQFD_FLAG_DEASSIGN.</summary>
    public const uint FlagDeassign = 1;

    public uint Fd;
    public uint Gsi;
    public uint Flags;
    public uint ResampleFd;
    public Padding16 Pad;

    [InlineArray(16)]
    public struct Padding16
    {
        private byte _element;
    }
}
