using System.Buffers.Binary;
using System.Text;
using Concierge.Vmm.Devices.Virtio.Queue;

namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>
/// virtio-blk over a raw image file: one request queue served in order on the device's worker
/// thread with synchronous positional I/O straight between the file and guest memory. Offers a
/// write-back cache (FLUSH = fdatasync), seg_max, and RO for read-only images.
/// </summary>
public sealed class BlockDevice : VirtioDevice
{
    // struct virtio_blk_config offsets (virtio 1.x, 5.2.4).
    private const int ConfigCapacity = 0;
    private const int ConfigSegMax = 12;
    private const int ConfigNumQueues = 34;
    private const int ConfigBytes = 60;

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
        return BlockFeatures.SegMax | BlockFeatures.Flush | (image.IsReadOnly ? BlockFeatures.ReadOnly : 0);
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
