using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Boot;

/// <summary>
/// One flat segment descriptor of the boot GDT, both as the 8 bytes the guest sees and as the
/// kvm_segment KVM loads into the hidden part of the segment register.
/// </summary>
/// <param name="Flags">Access byte in bits 0-7, the G/DB/L/AVL nibble in bits 12-15 (0xA09B = 64-bit code).</param>
/// <param name="Base">Segment base.</param>
/// <param name="Limit">20-bit limit (in 4 KiB units when G is set).</param>
internal readonly record struct GdtEntry(ushort Flags, uint Base, uint Limit)
{
    public static readonly GdtEntry Null = new(0, 0, 0);
    public static readonly GdtEntry Code64 = new(0xA09B, 0, 0xFFFFF);
    public static readonly GdtEntry Data = new(0xC093, 0, 0xFFFFF);
    public static readonly GdtEntry Tss = new(0x808B, 0, 0xFFFFF);

    /// <summary>The descriptor as stored in the GDT.</summary>
    public ulong Descriptor =>
        ((ulong)(Base & 0xFF00_0000) << 32)
        | ((ulong)(Base & 0x00FF_FFFF) << 16)
        | (Limit & 0xFFFFUL)
        | ((ulong)(Limit & 0xF_0000) << 32)
        | ((ulong)(Flags & 0xF0FF) << 40);

    /// <summary>The segment register value for selector index <paramref name="index"/>.</summary>
    public KvmSegment ToSegment(int index)
    {
        var granular = (Flags >> 15 & 1) != 0;
        return new KvmSegment
        {
            Base = Base,
            Limit = granular ? (Limit << 12) | 0xFFF : Limit,
            Selector = (ushort)(index * 8),
            Type = (byte)(Flags & 0xF),
            S = (byte)(Flags >> 4 & 1),
            Dpl = (byte)(Flags >> 5 & 3),
            Present = (byte)(Flags >> 7 & 1),
            Avl = (byte)(Flags >> 12 & 1),
            L = (byte)(Flags >> 13 & 1),
            Db = (byte)(Flags >> 14 & 1),
            G = granular ? (byte)1 : (byte)0,
        };
    }
}
