using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Block;

namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>
/// virtio-blk requests served by the production <see cref="BlockDevice"/> on its worker, over a
/// small raw image file: header parsing, data segments, status, GET_ID, DISCARD and
/// WRITE_ZEROES ranges, the read-only refusal.
/// </summary>
/// <remarks>
/// Input: flags (bit 0 read-only image, bit 1 negotiate no device features), then chains until
/// the input ends: a buffer count (1 + b % 6), and per buffer a kind byte (bit 0 device-writable)
/// and a 16-bit length; a readable buffer's bytes follow its length (the first holds the header).
/// Every chain must come back used (claiming no more bytes than it could hold), or the device
/// must have broken on a guest fault.
/// </remarks>
public sealed class BlockTarget : IFuzzTarget
{
    private const int DiskSectors = 64;
    private const ushort QueueSize = 16;
    private const byte FlagReadOnly = 1;
    private const byte FlagNoDeviceFeatures = 2;
    private static readonly Lazy<string> Image = new(CreateImage);

    /// <inheritdoc />
    public string Name => "virtio-blk";

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        var reader = new FuzzInput(input);
        var flags = reader.Byte();
        using var device = new FuzzedDevice(new BlockDevice(DiskImage.Open(Image.Value, (flags & FlagReadOnly) != 0), "fuzz-disk"), QueueSize);
        var queue = device.Queues[0];
        while (!reader.IsEmpty && queue.TryAdd(ReadChain(ref reader)))
        {
        }
        device.Activate((flags & FlagNoDeviceFeatures) != 0 ? VirtioFeatures.Transport : device.Device.OfferedFeatures);
        device.Settle();
        device.ThrowIfInternalError();
        device.TakeCompleted(0);
        if (device.Device.BrokenReason is null && queue.UsedIndex != queue.AvailableIndex)
        {
            throw new FuzzFindingException($"virtio-blk answered {queue.UsedIndex} of {queue.AvailableIndex} requests and is not broken");
        }
    }

    /// <inheritdoc />
    public IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        yield return ("read", Seed(0, Request(BlockRequestType.In, 2, [], In(1024), In(1))));
        yield return ("write-then-read", Seed(0, Request(BlockRequestType.Out, 1, [], Out(new byte[512]), In(1)), Request(BlockRequestType.In, 1, [], In(512), In(1))));
        yield return ("write-read-only", Seed(FlagReadOnly, Request(BlockRequestType.Out, 0, [], Out(new byte[512]), In(1))));
        yield return ("flush-and-id", Seed(0, Request(BlockRequestType.Flush, 0, [], In(1)), Request(BlockRequestType.GetId, 0, [], In(20), In(1))));
        yield return ("discard", Seed(0, Request(BlockRequestType.Discard, 0, Range(0, 8, 0).Concat(Range(16, 8, 0)).ToArray(), In(1))));
        yield return ("write-zeroes-unmap", Seed(0, Request(BlockRequestType.WriteZeroes, 0, Range(4, 4, 1), In(1))));
        yield return ("discard-not-negotiated", Seed(FlagNoDeviceFeatures, Request(BlockRequestType.Discard, 0, Range(0, 8, 0), In(1))));
        yield return ("read-past-end", Seed(0, Request(BlockRequestType.In, DiskSectors - 1, [], In(1024), In(1))));
        yield return ("unknown-type", Seed(0, Request((BlockRequestType)77, 0, [], In(1))));
        yield return ("short-header", new SeedWriter().Byte(0).Byte(0).Byte(0).Le16(8).Bytes(new byte[8]).ToArray());
    }

    private static List<DriverBuffer> ReadChain(ref FuzzInput reader)
    {
        var count = 1 + (reader.Byte() % 6);
        var buffers = new List<DriverBuffer>(count);
        for (var i = 0; i < count; i++)
        {
            var writable = (reader.Byte() & 1) != 0;
            var length = reader.Le16();
            buffers.Add(writable ? DriverBuffer.In(length) : DriverBuffer.Out(reader.Bytes(length).ToArray()));
        }
        return buffers;
    }

    private static string CreateImage()
    {
        var path = Path.Combine(Path.GetTempPath(), $"concierge-fuzz-blk-{Environment.ProcessId}.img");
        File.WriteAllBytes(path, new byte[DiskSectors * BlockRequest.SectorSize]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }

    private static byte[] Seed(byte flags, params byte[][] chains) => new SeedWriter().Byte(flags).Bytes(chains.SelectMany(c => c).ToArray()).ToArray();

    private static byte[] Request(BlockRequestType type, ulong sector, byte[] ranges, params (bool Writable, byte[] Content, ushort Length)[] data)
    {
        var header = new SeedWriter().Le32((uint)type).Le32(0).Le64(sector).Bytes(ranges).ToArray();
        var chain = new SeedWriter().Byte((byte)data.Length).Byte(0).Le16((ushort)header.Length).Bytes(header);
        foreach (var (writable, content, length) in data)
        {
            chain.Byte(writable ? (byte)1 : (byte)0).Le16(length).Bytes(content);
        }
        return chain.ToArray();
    }

    private static (bool, byte[], ushort) In(ushort length) => (true, [], length);

    private static (bool, byte[], ushort) Out(byte[] content) => (false, content, (ushort)content.Length);

    private static byte[] Range(ulong sector, uint sectors, uint flags) => new SeedWriter().Le64(sector).Le32(sectors).Le32(flags).ToArray();
}
