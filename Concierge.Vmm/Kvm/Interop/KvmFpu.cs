using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>struct kvm_fpu: x87 and SSE state of a vCPU.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KvmFpu
{
    public Bytes128 Fpr;
    public ushort Fcw;
    public ushort Fsw;
    public byte Ftwx;
    public byte Pad1;
    public ushort LastOpcode;
    public ulong LastIp;
    public ulong LastDp;
    public Bytes256 Xmm;
    public uint Mxcsr;
    public uint Pad2;

    /// <summary>__u8 fpr[8][16].</summary>
    [InlineArray(128)]
    public struct Bytes128
    {
        private byte _element;
    }

    /// <summary>__u8 xmm[16][16].</summary>
    [InlineArray(256)]
    public struct Bytes256
    {
        private byte _element;
    }
}
