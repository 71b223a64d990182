using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_ioeventfd: turns a guest write to an address into an eventfd signal, without a VM exit to us.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmIoeventfd
{
    /// <summary>KVM_IOEVENTFD_FLAG_DATAMATCH.</summary>
    public const uint FlagDataMatch = 1 << 0;

    /// <summary>KVM_IOEVENTFD_FLAG_PIO: the address is an I/O port.</summary>
    public const uint FlagPio = 1 << 1;

    /// <summary>KVM_IOEVENTFD_FLAG_DEASSIGN.</summary>
    public const uint FlagDeassign = 1 << 2;

    public ulong DataMatch;
    public ulong Addr;
    public uint Len;
    public int Fd;
    public uint Flags;
    public Padding36 Pad;

    [InlineArray(36)]
    public struct Padding36
    {
        private byte _element;
    }
}
