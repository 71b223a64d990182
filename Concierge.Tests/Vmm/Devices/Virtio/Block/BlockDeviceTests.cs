using System.Buffers.Binary;
using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Block;
using NUnit.Framework;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Virtio.Block;

[TestFixture, Category("Unit")]
public sealed class BlockDeviceTests
{
    private const int Sectors = 64;
    private string _image = null!;

    [SetUp]
    public void SetUp()
    {
        _image = Path.Combine(Path.GetTempPath(), $"concierge-blk-{Guid.NewGuid():N}.img");
        var content = new byte[Sectors * 512];
        for (var i = 0; i < content.Length; i++)
        {
            content[i] = (byte)(i / 512);
        }
        File.WriteAllBytes(_image, content);
    }

    [TearDown]
    public void TearDown() => File.Delete(_image);

    private DeviceHarness Start(bool readOnly = false)
    {
        var harness = new DeviceHarness(new BlockDevice(DiskImage.Open(_image, readOnly), "concierge-disk-0001"));
        harness.Activate();
        return harness;
    }

    private static ulong Header(TestVirtQueue queue, BlockRequestType type, ulong sector) => Header(queue, (uint)type, sector);

    private static ulong Header(TestVirtQueue queue, uint type, ulong sector)
    {
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, type);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], sector);
        return queue.Allocate(header);
    }

    private static byte Status(DeviceHarness harness, ulong address) => harness.Memory.Read<byte>(address);

    [Test]
    public void ConfigReportsCapacityAndSegMax()
    {
        using var harness = Start();
        Span<byte> config = stackalloc byte[16];
        harness.Device.ReadConfig(0, config);
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(config), Is.EqualTo((ulong)Sectors));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(config[12..]), Is.EqualTo(VirtioLimits.BlockMaxSegments));
        Assert.That(harness.Device.OfferedFeatures & BlockFeatures.Flush, Is.Not.Zero);
        Assert.That(harness.Device.OfferedFeatures & BlockFeatures.ReadOnly, Is.Zero);
    }

    [Test]
    public void ReadFillsTheGuestBuffersFromTheImage()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        var first = queue.Allocate(512);
        var second = queue.Allocate(1024);
        var status = queue.Allocate(1);
        queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.In, 5), 16), Buffer.In(first, 512), Buffer.In(second, 1024), Buffer.In(status, 1));

        harness.KickAndWait(0, 1);

        Assert.That(Status(harness, status), Is.EqualTo((byte)BlockStatus.Ok));
        Assert.That(queue.UsedEntry(0).Written, Is.EqualTo(1536 + 1));
        Assert.That(harness.Memory.GetSpan(first, 512).ToArray(), Is.All.EqualTo(5));
        Assert.That(harness.Memory.GetSpan(second, 512).ToArray(), Is.All.EqualTo(6));
        Assert.That(harness.Memory.GetSpan(second + 512, 512).ToArray(), Is.All.EqualTo(7));
    }

    [Test]
    public void WriteThenFlushLandsInTheImage()
    {
        using (var harness = Start())
        {
            var queue = harness.Queues[0];
            var data = queue.Allocate(Enumerable.Repeat((byte)0xAB, 1024).ToArray());
            var writeStatus = queue.Allocate(1);
            queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.Out, Sectors - 2), 16), Buffer.Out(data, 1024), Buffer.In(writeStatus, 1));
            var flushStatus = queue.Allocate(1);
            queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.Flush, 0), 16), Buffer.In(flushStatus, 1));

            harness.KickAndWait(0, 2);

            Assert.That(Status(harness, writeStatus), Is.EqualTo((byte)BlockStatus.Ok));
            Assert.That(Status(harness, flushStatus), Is.EqualTo((byte)BlockStatus.Ok));
            Assert.That(queue.UsedEntry(0).Written, Is.EqualTo(1u));
        }
        var image = File.ReadAllBytes(_image);
        Assert.That(image.AsSpan((Sectors - 2) * 512).ToArray(), Is.All.EqualTo(0xAB));
        Assert.That(image[((Sectors - 2) * 512) - 1], Is.EqualTo(Sectors - 3));
    }

    [Test]
    public void GetIdReturnsTheSerial()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        var id = queue.Allocate(20);
        var status = queue.Allocate(1);
        queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.GetId, 0), 16), Buffer.In(id, 20), Buffer.In(status, 1));
        harness.KickAndWait(0, 1);
        Assert.That(Status(harness, status), Is.EqualTo((byte)BlockStatus.Ok));
        Assert.That(System.Text.Encoding.ASCII.GetString(harness.Memory.GetSpan(id, 19)), Is.EqualTo("concierge-disk-0001"));
        Assert.That(queue.UsedEntry(0).Written, Is.EqualTo(21u));
    }

    [Test]
    public void ReadOnlyDiskRefusesWrites()
    {
        using (var harness = Start(readOnly: true))
        {
            Assert.That(harness.Device.OfferedFeatures & BlockFeatures.ReadOnly, Is.Not.Zero);
            var queue = harness.Queues[0];
            var status = queue.Allocate(1);
            queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.Out, 0), 16), Buffer.Out(queue.Allocate(new byte[512]), 512), Buffer.In(status, 1));
            harness.KickAndWait(0, 1);
            Assert.That(Status(harness, status), Is.EqualTo((byte)BlockStatus.IoError));
            Assert.That(harness.Device.BrokenReason, Is.Null, "a refused write is an answer, not a fault");
        }
        Assert.That(File.ReadAllBytes(_image).AsSpan(0, 512).ToArray(), Is.All.EqualTo(0));
    }

    [Test]
    public void UnknownRequestTypeIsUnsupported()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        var status = queue.Allocate(1);
        queue.AddChain(Buffer.Out(Header(queue, 99u, 0), 16), Buffer.In(status, 1));
        harness.KickAndWait(0, 1);
        Assert.That(Status(harness, status), Is.EqualTo((byte)BlockStatus.Unsupported));
    }

    [TestCase(Sectors - 1UL, 1024, TestName = "ReadStraddlingTheEndBreaksTheDevice")]
    [TestCase((ulong)Sectors, 512, TestName = "ReadAtTheEndBreaksTheDevice")]
    [TestCase(ulong.MaxValue, 512, TestName = "ReadAtAWildSectorBreaksTheDevice")]
    public void RequestPastTheEndBreaksTheDevice(ulong sector, int length)
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.In, sector), 16), Buffer.In(queue.Allocate(length), (uint)length), Buffer.In(queue.Allocate(1), 1));
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("past the disk's end"));
    }

    [Test]
    public void ReadWithDeviceReadableDataBreaksTheDevice()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.In, 0), 16), Buffer.Out(queue.Allocate(512), 512), Buffer.In(queue.Allocate(1), 1));
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("wrong direction"));
    }

    [Test]
    public void WriteWithDeviceWritableDataBreaksTheDevice()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.Out, 0), 16), Buffer.In(queue.Allocate(512), 512), Buffer.In(queue.Allocate(1), 1));
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("wrong direction"));
    }

    [Test]
    public void MissingStatusByteBreaksTheDevice()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.Flush, 0), 16));
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("status byte"));
    }

    [Test]
    public void ShortHeaderBreaksTheDevice()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.In, 0), 8), Buffer.In(queue.Allocate(1), 1));
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("header"));
    }

    [Test]
    public void LengthNotInSectorsBreaksTheDevice()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.Out(Header(queue, BlockRequestType.In, 0), 16), Buffer.In(queue.Allocate(100), 100), Buffer.In(queue.Allocate(1), 1));
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("multiple of 512"));
    }

    [Test]
    public void DescriptorLoopBreaksTheDeviceAndLaterRequestsAreIgnored()
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        queue.WriteDescriptor(0, Header(queue, BlockRequestType.In, 0), 16, 1, 1);
        queue.WriteDescriptor(1, queue.Allocate(512), 512, 1 | 2, 2);
        queue.WriteDescriptor(2, queue.Allocate(512), 512, 1 | 2, 1);
        queue.Publish(0);
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("loop"));

        var status = queue.Allocate(1);
        harness.Memory.Write(status, (byte)0xEE);
        queue.WriteDescriptor(3, Header(queue, BlockRequestType.Flush, 0), 16, 1, 4);
        queue.WriteDescriptor(4, status, 1, 2, 0);
        queue.Publish(3);
        harness.Device.Notify(0);
        Assert.That(queue.WaitForUsed(1, TimeSpan.FromMilliseconds(300)), Is.False, "a broken device serves nothing");
        Assert.That(Status(harness, status), Is.EqualTo(0xEE));
    }

    // DISCARD and WRITE_ZEROES: crafted requests in range, past the end, with too many ranges or bad flags.

    [Test]
    public void ConfigAdvertisesTheLimits()
    {
        using var harness = Start();
        Span<byte> config = stackalloc byte[60];
        harness.Device.ReadConfig(0, config);
        Assert.That(harness.Device.OfferedFeatures & (BlockFeatures.Discard | BlockFeatures.WriteZeroes), Is.EqualTo(BlockFeatures.Discard | BlockFeatures.WriteZeroes));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(config[36..]), Is.EqualTo(VirtioLimits.BlockMaxRangeSectors), "max_discard_sectors");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(config[40..]), Is.EqualTo(VirtioLimits.BlockMaxRangeSegments), "max_discard_seg");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(config[44..]), Is.EqualTo(8u), "discard_sector_alignment");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(config[48..]), Is.EqualTo(VirtioLimits.BlockMaxRangeSectors), "max_write_zeroes_sectors");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(config[52..]), Is.EqualTo(VirtioLimits.BlockMaxRangeSegments), "max_write_zeroes_seg");
        Assert.That(config[56], Is.EqualTo(1), "write_zeroes_may_unmap");
    }

    [Test]
    public void ReadOnlyDiskOffersNeitherAndRefusesThem()
    {
        using (var harness = Start(readOnly: true))
        {
            Assert.That(harness.Device.OfferedFeatures & (BlockFeatures.Discard | BlockFeatures.WriteZeroes), Is.Zero);
            var status = Send(harness, BlockRequestType.WriteZeroes, new BlockRange(0, 8, 0));
            Assert.That(status, Is.EqualTo(BlockStatus.Unsupported));
        }
        AssertImageUnchangedExcept();
    }

    [TestCase(0u, TestName = "WriteZeroesKeepingBlocksZeroesOnlyTheRange")]
    [TestCase(BlockRange.FlagUnmap, TestName = "WriteZeroesWithUnmapZeroesOnlyTheRange")]
    public void WriteZeroesZeroesOnlyTheRanges(uint flags)
    {
        using (var harness = Start())
        {
            var status = Send(harness, BlockRequestType.WriteZeroes, new BlockRange(3, 2, flags), new BlockRange(Sectors - 1, 1, flags));
            Assert.That(status, Is.EqualTo(BlockStatus.Ok));
            Assert.That(harness.Queues[0].UsedEntry(0).Written, Is.EqualTo(1u));
        }
        AssertImageUnchangedExcept((3, 2), (Sectors - 1, 1));
    }

    [Test]
    public void DiscardInRangeSucceedsAndLeavesTheRestAlone()
    {
        using (var harness = Start())
        {
            Assert.That(Send(harness, BlockRequestType.Discard, new BlockRange(8, 8, 0)), Is.EqualTo(BlockStatus.Ok));
        }
        // A discard is a hint: the range may or may not read as zeroes, the rest must be as it was.
        var image = File.ReadAllBytes(_image);
        Assert.That(image.Length, Is.EqualTo(Sectors * 512), "the image keeps its size");
        Assert.That(image.AsSpan(0, 8 * 512).ToArray(), Is.EqualTo(Original(0, 8)));
        Assert.That(image.AsSpan(16 * 512).ToArray(), Is.EqualTo(Original(16, Sectors - 16)));
    }

    [TestCase(Sectors - 1UL, 2u, TestName = "RangeStraddlingTheEndIsAnIoErrorAndChangesNothing")]
    [TestCase((ulong)Sectors, 1u, TestName = "RangeAtTheEndIsAnIoErrorAndChangesNothing")]
    [TestCase(ulong.MaxValue, 1u, TestName = "RangeAtAWildSectorIsAnIoErrorAndChangesNothing")]
    [TestCase(0UL, VirtioLimits.BlockMaxRangeSectors + 1, TestName = "RangeLongerThanAdvertisedIsAnIoErrorAndChangesNothing")]
    public void RangePastTheEndIsAnIoError(ulong sector, uint sectors)
    {
        using (var harness = Start())
        {
            // The first range is fine; a refused request must not apply it either.
            var status = Send(harness, BlockRequestType.WriteZeroes, new BlockRange(0, 1, 0), new BlockRange(sector, sectors, 0));
            Assert.That(status, Is.EqualTo(BlockStatus.IoError));
            Assert.That(harness.Device.BrokenReason, Is.Null, "an out-of-range request is answered, not a fault");
        }
        AssertImageUnchangedExcept();
    }

    [Test]
    public void TooManyRangesIsAnIoErrorAndChangesNothing()
    {
        using (var harness = Start())
        {
            var ranges = Enumerable.Range(0, (int)VirtioLimits.BlockMaxRangeSegments + 1).Select(i => new BlockRange((ulong)i, 1, 0)).ToArray();
            Assert.That(Send(harness, BlockRequestType.WriteZeroes, ranges), Is.EqualTo(BlockStatus.IoError));
        }
        AssertImageUnchangedExcept();
    }

    [TestCase(BlockRequestType.Discard, BlockRange.FlagUnmap, TestName = "DiscardWithUnmapIsUnsupported")]
    [TestCase(BlockRequestType.WriteZeroes, 2u, TestName = "WriteZeroesWithAnUnknownFlagIsUnsupported")]
    [TestCase(BlockRequestType.Discard, 0x8000_0000u, TestName = "DiscardWithAnUnknownFlagIsUnsupported")]
    public void UnknownFlagsAreUnsupported(BlockRequestType type, uint flags)
    {
        using (var harness = Start())
        {
            Assert.That(Send(harness, type, new BlockRange(0, 8, flags)), Is.EqualTo(BlockStatus.Unsupported));
        }
        AssertImageUnchangedExcept();
    }

    [TestCase(0, TestName = "RangeRequestWithoutRangesBreaksTheDevice")]
    [TestCase(20, TestName = "RangeRequestWithAPartialRangeBreaksTheDevice")]
    public void MalformedRangeListBreaksTheDevice(int bytes)
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        var chain = new List<Buffer> { Buffer.Out(Header(queue, BlockRequestType.WriteZeroes, 0), 16) };
        if (bytes > 0)
        {
            chain.Add(Buffer.Out(queue.Allocate(bytes), (uint)bytes));
        }
        chain.Add(Buffer.In(queue.Allocate(1), 1));
        queue.AddChain([.. chain]);
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("16-byte ranges"));
    }

    /// <summary>Sends one DISCARD or WRITE_ZEROES listing <paramref name="ranges"/> and returns its status.</summary>
    private static BlockStatus Send(DeviceHarness harness, BlockRequestType type, params BlockRange[] ranges)
    {
        var queue = harness.Queues[0];
        var payload = new byte[ranges.Length * BlockRange.Size];
        for (var i = 0; i < ranges.Length; i++)
        {
            var entry = payload.AsSpan(i * BlockRange.Size);
            BinaryPrimitives.WriteUInt64LittleEndian(entry, ranges[i].Sector);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], ranges[i].Sectors);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], ranges[i].Flags);
        }
        var status = queue.Allocate(1);
        harness.Memory.Write(status, (byte)0xEE);
        queue.AddChain(Buffer.Out(Header(queue, type, 0), 16), Buffer.Out(queue.Allocate(payload), (uint)payload.Length), Buffer.In(status, 1));
        harness.KickAndWait(0, 1);
        return (BlockStatus)harness.Memory.Read<byte>(status);
    }

    /// <summary>SetUp fills sector <c>i</c> with the byte <c>i</c>.</summary>
    private static byte[] Original(int sector, int count) =>
        Enumerable.Range(sector, count).SelectMany(i => Enumerable.Repeat((byte)i, 512)).ToArray();

    /// <summary>The image is as SetUp wrote it, except for <paramref name="zeroed"/> (first sector, count), which read as zeroes.</summary>
    private void AssertImageUnchangedExcept(params (int Sector, int Count)[] zeroed)
    {
        var expected = Original(0, Sectors);
        foreach (var (sector, count) in zeroed)
        {
            expected.AsSpan(sector * 512, count * 512).Clear();
        }
        Assert.That(File.ReadAllBytes(_image), Is.EqualTo(expected));
    }
}
