using System.Buffers.Binary;
using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>
/// One virtio-blk request, parsed from a validated chain: a 16-byte header the device reads
/// (type, reserved, sector), the data buffers, and a status byte the device writes last. The
/// header is copied out once; shapes no Linux driver produces are guest faults.
/// </summary>
public sealed class BlockRequest
{
    /// <summary>Bytes per sector: the unit of <see cref="Sector"/> and of data lengths.</summary>
    public const int SectorSize = 512;

    /// <summary>Bytes of the request header.</summary>
    public const int HeaderSize = 16;

    /// <summary>Bytes GET_ID may return.</summary>
    public const int IdSize = 20;

    private BlockRequest(BlockRequestType type, ulong sector, IReadOnlyList<ChainSegment> data, uint dataBytes, ChainSegment status, IReadOnlyList<BlockRange>? ranges = null, uint rangeCount = 0)
    {
        Type = type;
        Sector = sector;
        Data = data;
        DataBytes = dataBytes;
        Status = status;
        Ranges = ranges ?? [];
        RangeCount = rangeCount;
    }

    /// <summary>The request type (possibly one this device does not implement).</summary>
    public BlockRequestType Type { get; }

    /// <summary>First sector of an IN or OUT.</summary>
    public ulong Sector { get; }

    /// <summary>The data buffers: device-writable for IN and GET_ID, device-readable for OUT.</summary>
    public IReadOnlyList<ChainSegment> Data { get; }

    /// <summary>Total bytes of <see cref="Data"/>.</summary>
    public uint DataBytes { get; }

    /// <summary>The one-byte status buffer.</summary>
    public ChainSegment Status { get; }

    /// <summary>How many ranges a DISCARD or WRITE_ZEROES lists (possibly more than the device allows).</summary>
    public uint RangeCount { get; }

    /// <summary>
    /// The ranges of a DISCARD or WRITE_ZEROES, copied out once; empty when <see cref="RangeCount"/>
    /// exceeds <see cref="VirtioLimits.BlockMaxRangeSegments"/> (the device then refuses the request
    /// without reading them). Not yet checked against the disk: see <see cref="BlockDevice"/>.
    /// </summary>
    public IReadOnlyList<BlockRange> Ranges { get; }

    /// <summary>Parses <paramref name="chain"/> for a disk of <paramref name="capacitySectors"/> sectors.</summary>
    /// <exception cref="GuestFaultException">The chain is not a well-formed request, or it reaches past the disk's end.</exception>
    public static BlockRequest Parse(GuestMemory memory, DescriptorChain chain, ulong capacitySectors)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.ReadableBytes < HeaderSize)
        {
            throw new GuestFaultException($"block request {chain.HeadIndex}: header needs {HeaderSize} device-readable bytes, got {chain.ReadableBytes}");
        }
        if (chain.WritableBytes < 1)
        {
            throw new GuestFaultException($"block request {chain.HeadIndex}: no device-writable status byte");
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        chain.CopyFromReadable(memory, 0, header);
        var type = (BlockRequestType)BinaryPrimitives.ReadUInt32LittleEndian(header);
        var sector = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        var status = DescriptorChain.Slice(chain.Writable, chain.WritableBytes - 1, 1)[0];
        var readableData = chain.ReadableBytes - HeaderSize;
        var writableData = chain.WritableBytes - 1;

        switch (type)
        {
            case BlockRequestType.In:
                RequireNone(chain, "IN", "device-readable", readableData);
                CheckRange(chain, sector, writableData, capacitySectors);
                return new BlockRequest(type, sector, DescriptorChain.Slice(chain.Writable, 0, writableData), writableData, status);
            case BlockRequestType.Out:
                RequireNone(chain, "OUT", "device-writable", writableData);
                CheckRange(chain, sector, readableData, capacitySectors);
                return new BlockRequest(type, sector, DescriptorChain.Slice(chain.Readable, HeaderSize, readableData), readableData, status);
            case BlockRequestType.GetId:
                var idBytes = Math.Min(writableData, IdSize);
                return new BlockRequest(type, 0, DescriptorChain.Slice(chain.Writable, 0, idBytes), idBytes, status);
            case BlockRequestType.Discard:
            case BlockRequestType.WriteZeroes:
                RequireNone(chain, type.ToString(), "device-writable", writableData);
                return ParseRanges(memory, chain, type, readableData, status);
            default:
                // FLUSH and unknown types carry no data we use.
                return new BlockRequest(type, 0, [], 0, status);
        }
    }

    private static BlockRequest ParseRanges(GuestMemory memory, DescriptorChain chain, BlockRequestType type, uint bytes, ChainSegment status)
    {
        if (bytes == 0 || bytes % BlockRange.Size != 0)
        {
            throw new GuestFaultException($"block request {chain.HeadIndex}: {type} carries {bytes} bytes, not a whole number of {BlockRange.Size}-byte ranges");
        }
        var count = bytes / BlockRange.Size;
        if (count > VirtioLimits.BlockMaxRangeSegments)
        {
            return new BlockRequest(type, 0, [], 0, status, [], count);
        }
        Span<byte> raw = stackalloc byte[(int)VirtioLimits.BlockMaxRangeSegments * BlockRange.Size];
        raw = raw[..(int)bytes];
        chain.CopyFromReadable(memory, HeaderSize, raw);
        var ranges = new BlockRange[count];
        for (var i = 0; i < ranges.Length; i++)
        {
            ranges[i] = BlockRange.Read(raw[(i * BlockRange.Size)..]);
        }
        return new BlockRequest(type, 0, [], 0, status, ranges, count);
    }

    private static void RequireNone(DescriptorChain chain, string type, string direction, uint bytes)
    {
        if (bytes != 0)
        {
            throw new GuestFaultException($"block request {chain.HeadIndex}: {type} carries {bytes} {direction} data bytes (wrong direction)");
        }
    }

    private static void CheckRange(DescriptorChain chain, ulong sector, uint bytes, ulong capacitySectors)
    {
        if (bytes % SectorSize != 0)
        {
            throw new GuestFaultException($"block request {chain.HeadIndex}: data length {bytes} is not a multiple of {SectorSize}");
        }
        var sectors = bytes / (ulong)SectorSize;
        if (sector > capacitySectors || sectors > capacitySectors - sector)
        {
            throw new GuestFaultException($"block request {chain.HeadIndex}: sectors {sector}+{sectors} reach past the disk's end at {capacitySectors}");
        }
    }
}
