using System.Buffers.Binary;

namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>struct virtio_vsock_hdr (44 bytes, little-endian), copied out of or into guest memory once.</summary>
public readonly record struct VsockHeader(
    ulong SourceCid,
    ulong DestinationCid,
    uint SourcePort,
    uint DestinationPort,
    uint Length,
    ushort Type,
    VsockOp Op,
    uint Flags,
    uint BufferAlloc,
    uint ForwardCount)
{
    /// <summary>Bytes of the header on the wire.</summary>
    public const int Size = 44;

    /// <summary>VIRTIO_VSOCK_TYPE_STREAM, the only socket type offered.</summary>
    public const ushort TypeStream = 1;

    /// <summary>SHUTDOWN flag: the sender will receive no more.</summary>
    public const uint ShutdownReceive = 1;

    /// <summary>SHUTDOWN flag: the sender will send no more.</summary>
    public const uint ShutdownSend = 2;

    /// <summary>Decodes a header.</summary>
    public static VsockHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(bytes),
        BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[16..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[20..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]),
        BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]),
        (VsockOp)BinaryPrimitives.ReadUInt16LittleEndian(bytes[30..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[32..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[36..]),
        BinaryPrimitives.ReadUInt32LittleEndian(bytes[40..]));

    /// <summary>Encodes the header into <paramref name="bytes"/> (at least <see cref="Size"/> long).</summary>
    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, SourceCid);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], DestinationCid);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], SourcePort);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[20..], DestinationPort);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[24..], Length);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[28..], Type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[30..], (ushort)Op);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[32..], Flags);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[36..], BufferAlloc);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[40..], ForwardCount);
    }
}
