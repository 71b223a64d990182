using System.Buffers.Binary;
using System.Text;
using Concierge.Vmm.Devices.Virtio.Queue;

namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>
/// virtio-blk over a raw image file: one request queue served in order on the device's worker
/// thread with synchronous positional I/O straight between the file and guest memory. Offers a
/// write-back cache (FLUSH = fdatasync), seg_max, RO for read-only images, and for writable
/// images DISCARD (holes punched in the file) and WRITE_ZEROES (fallocate, else written zeroes).
/// </summary>
public sealed class BlockDevice : VirtioDevice
{
    // struct virtio_blk_config offsets (virtio 1.x, 5.2.4).
    private const int ConfigCapacity = 0;
    private const int ConfigSegMax = 12;
    private const int ConfigNumQueues = 34;
    private const int ConfigMaxDiscardSectors = 36;
    private const int ConfigMaxDiscardSegments = 40;
    private const int ConfigDiscardAlignment = 44;
    private const int ConfigMaxWriteZeroesSectors = 48;
    private const int ConfigMaxWriteZeroesSegments = 52;
    private const int ConfigWriteZeroesMayUnmap = 56;
    private const int ConfigBytes = 60;

    /// <summary>discard_sector_alignment: 4 KiB, the host file system's usual block.</summary>
    private const uint DiscardAlignmentSectors = 8;

    private readonly DiskImage _image;
    private readonly byte[] _id;
    private readonly byte[] _config = new byte[ConfigBytes];

    /// <summary>Serves <paramref name="image"/> (owned: disposed with the device) with the GET_ID string <paramref name="serial"/>.</summary>
    public BlockDevice(DiskImage image, string serial)
        : base(VirtioDeviceType.Block, Features(image), queueCount: 1)
    {
        ArgumentNullException.ThrowIfNull(serial);
        _image = image;
        CapacitySectors = (ulong)image.Length / BlockRequest.SectorSize;
        _id = new byte[BlockRequest.IdSize];
        Encoding.ASCII.GetBytes(serial.AsSpan(0, Math.Min(serial.Length, BlockRequest.IdSize)), _id);
        BinaryPrimitives.WriteUInt64LittleEndian(_config.AsSpan(ConfigCapacity), CapacitySectors);
        BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(ConfigSegMax), VirtioLimits.BlockMaxSegments);
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(ConfigNumQueues), 1);
        if (!image.IsReadOnly)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(ConfigMaxDiscardSectors), VirtioLimits.BlockMaxRangeSectors);
            BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(ConfigMaxDiscardSegments), VirtioLimits.BlockMaxRangeSegments);
            BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(ConfigDiscardAlignment), DiscardAlignmentSectors);
            BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(ConfigMaxWriteZeroesSectors), VirtioLimits.BlockMaxRangeSectors);
            BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(ConfigMaxWriteZeroesSegments), VirtioLimits.BlockMaxRangeSegments);
            _config[ConfigWriteZeroesMayUnmap] = 1;
        }
    }

    /// <summary>Disk size in 512-byte sectors (a trailing partial sector is not exposed).</summary>
    public ulong CapacitySectors { get; }

    /// <inheritdoc />
    public override int ConfigSize => ConfigBytes;

    /// <inheritdoc />
    public override void ReadConfig(int offset, Span<byte> data)
    {
        data.Clear();
        if (offset >= 0 && offset < ConfigBytes)
        {
            var available = _config.AsSpan(offset);
            available[..Math.Min(available.Length, data.Length)].CopyTo(data);
        }
    }

    /// <inheritdoc />
    protected override void ProcessQueues(Func<bool> stopRequested) => DrainQueue(0, Serve, stopRequested);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _image.Dispose();
        }
    }

    private static ulong Features(DiskImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return BlockFeatures.SegMax | BlockFeatures.Flush
            | (image.IsReadOnly ? BlockFeatures.ReadOnly : BlockFeatures.Discard | BlockFeatures.WriteZeroes);
    }

    private uint Serve(DescriptorChain chain)
    {
        var memory = Memory!;
        var request = BlockRequest.Parse(memory, chain, CapacitySectors);
        if (request.Data.Count > VirtioLimits.BlockMaxSegments)
        {
            throw new GuestFaultException($"block request {chain.HeadIndex}: {request.Data.Count} data segments exceed seg_max {VirtioLimits.BlockMaxSegments}");
        }
        var status = BlockStatus.Ok;
        uint written = 0;
        try
        {
            switch (request.Type)
            {
                case BlockRequestType.In:
                    Transfer(request, (segment, offset) => _image.Read(memory.GetSpan(segment.Address, (int)segment.Length), offset));
                    written = request.DataBytes;
                    break;
                case BlockRequestType.Out when _image.IsReadOnly:
                    status = BlockStatus.IoError;
                    break;
                case BlockRequestType.Out:
                    Transfer(request, (segment, offset) => _image.Write(memory.GetSpan(segment.Address, (int)segment.Length), offset));
                    break;
                case BlockRequestType.Flush:
                    _image.Flush();
                    break;
                case BlockRequestType.GetId:
                    written = (uint)chain.CopyToWritable(memory, 0, _id.AsSpan(0, (int)request.DataBytes));
                    break;
                case BlockRequestType.Discard when (NegotiatedFeatures & BlockFeatures.Discard) != 0:
                case BlockRequestType.WriteZeroes when (NegotiatedFeatures & BlockFeatures.WriteZeroes) != 0:
                    status = ApplyRanges(request);
                    break;
                default:
                    status = BlockStatus.Unsupported;
                    break;
            }
        }
        catch (Exception hostError) when (hostError is IOException or UnauthorizedAccessException)
        {
            // The host's file failed, not the guest: report it in the request, keep the device.
            status = BlockStatus.IoError;
            written = 0;
        }
        memory.Write(request.Status.Address, (byte)status);
        return written + 1;
    }

    /// <summary>
    /// DISCARD / WRITE_ZEROES: every range is checked before any is applied (virtio 1.x, 5.2.6.2):
    /// unknown flags, or UNMAP on a discard, are UNSUPP; too many ranges, too long a range, or one
    /// past the disk's end is IOERR. A refused request changes nothing.
    /// </summary>
    private BlockStatus ApplyRanges(BlockRequest request)
    {
        if (request.RangeCount > VirtioLimits.BlockMaxRangeSegments)
        {
            return BlockStatus.IoError;
        }
        var allowedFlags = request.Type == BlockRequestType.WriteZeroes ? BlockRange.FlagUnmap : 0;
        foreach (var range in request.Ranges)
        {
            if ((range.Flags & ~allowedFlags) != 0)
            {
                return BlockStatus.Unsupported;
            }
            if (range.Sectors > VirtioLimits.BlockMaxRangeSectors
                || range.Sector > CapacitySectors
                || range.Sectors > CapacitySectors - range.Sector)
            {
                return BlockStatus.IoError;
            }
        }
        foreach (var range in request.Ranges)
        {
            var offset = (long)range.Sector * BlockRequest.SectorSize;
            var length = (long)range.Sectors * BlockRequest.SectorSize;
            if (length == 0)
            {
                // Nothing to do, and fallocate refuses an empty range.
                continue;
            }
            if (request.Type == BlockRequestType.Discard)
            {
                _image.Discard(offset, length);
            }
            else
            {
                _image.WriteZeroes(offset, length, mayUnmap: (range.Flags & BlockRange.FlagUnmap) != 0);
            }
        }
        return BlockStatus.Ok;
    }

    private static void Transfer(BlockRequest request, Action<ChainSegment, long> move)
    {
        var offset = (long)request.Sector * BlockRequest.SectorSize;
        foreach (var segment in request.Data)
        {
            move(segment, offset);
            offset += segment.Length;
        }
    }
}
