using System.Runtime.InteropServices;

namespace Concierge.Vmm.Devices.Virtio.Queue;

/// <summary>One entry of the descriptor table (struct virtq_desc), as copied out of guest memory.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal readonly struct VirtqDescriptor
{
    /// <summary>VIRTQ_DESC_F_NEXT: <see cref="Next"/> continues the chain.</summary>
    public const ushort FlagNext = 1;

    /// <summary>VIRTQ_DESC_F_WRITE: the device writes this buffer.</summary>
    public const ushort FlagWrite = 2;

    /// <summary>VIRTQ_DESC_F_INDIRECT: the buffer is a table of descriptors (not offered by us).</summary>
    public const ushort FlagIndirect = 4;

    /// <summary>Guest-physical buffer address.</summary>
    public readonly ulong Address;

    /// <summary>Buffer length in bytes.</summary>
    public readonly uint Length;

    /// <summary>VIRTQ_DESC_F_* bits.</summary>
    public readonly ushort Flags;

    /// <summary>Index of the next descriptor when <see cref="FlagNext"/> is set.</summary>
    public readonly ushort Next;

    /// <summary>Builds a descriptor (used by drivers in tests).</summary>
    public VirtqDescriptor(ulong address, uint length, ushort flags, ushort next)
    {
        Address = address;
        Length = length;
        Flags = flags;
        Next = next;
    }
}
