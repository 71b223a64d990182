using System.Buffers.Binary;

namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>
/// One segment of a DISCARD or WRITE_ZEROES request (struct virtio_blk_discard_write_zeroes,
/// 16 bytes little-endian), copied out of guest memory once.
/// </summary>
/// <param name="Sector">First sector.</param>
/// <param name="Sectors">Number of sectors.</param>
/// <param name="Flags">VIRTIO_BLK_WRITE_ZEROES_FLAG_* bits.</param>
public readonly record struct BlockRange(ulong Sector, uint Sectors, uint Flags)
{
    /// <summary>Bytes of one segment on the wire.</summary>
    public const int Size = 16;

    /// <summary>VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP: the device may deallocate the zeroed range (the only defined flag).</summary>
    public const uint FlagUnmap = 1;

    /// <summary>Decodes one segment.</summary>
    public static BlockRange Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]));
}
