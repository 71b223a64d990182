using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_msi: one message-signalled interrupt for KVM_SIGNAL_MSI.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmMsi
{
    public uint AddressLo;
    public uint AddressHi;
    public uint Data;
    public uint Flags;
    public uint DevId;
    public Padding12 Pad;

    [InlineArray(12)]
    public struct Padding12
    {
        private byte _element;
    }
}
