using System.Buffers.Binary;
using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Block;
using NUnit.Framework;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Virtio.Block;

/// <summary>DISCARD and WRITE_ZEROES: crafted requests in range, past the end, with too many ranges or bad flags.</summary>
[TestFixture, Category("Unit")]
public sealed class BlockRangeRequestTests
{
    private const int Sectors = 64;
    private string _image = null!;

    [SetUp]
    public void SetUp()
    {
        _image = Path.Combine(Path.GetTempPath(), $"concierge-blk-range-{Guid.NewGuid():N}.img");
        File.WriteAllBytes(_image, Enumerable.Repeat((byte)0x5A, Sectors * 512).ToArray());
    }

    [TearDown]
    public void TearDown() => File.Delete(_image);

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
        Assert.That(File.ReadAllBytes(_image), Is.All.EqualTo(0x5A));
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
        var image = File.ReadAllBytes(_image);
        Assert.That(image.AsSpan(3 * 512, 2 * 512).ToArray(), Is.All.EqualTo(0));
        Assert.That(image.AsSpan((Sectors - 1) * 512).ToArray(), Is.All.EqualTo(0));
        Assert.That(image.AsSpan(0, 3 * 512).ToArray(), Is.All.EqualTo(0x5A));
        Assert.That(image.AsSpan(5 * 512, (Sectors - 6) * 512).ToArray(), Is.All.EqualTo(0x5A));
        Assert.That(new FileInfo(_image).Length, Is.EqualTo(Sectors * 512), "the image keeps its size");
    }

    [Test]
    public void DiscardInRangeSucceedsAndLeavesTheRestAlone()
    {
        using (var harness = Start())
        {
            Assert.That(Send(harness, BlockRequestType.Discard, new BlockRange(8, 8, 0)), Is.EqualTo(BlockStatus.Ok));
        }
        var image = File.ReadAllBytes(_image);
        Assert.That(image.Length, Is.EqualTo(Sectors * 512), "the image keeps its size");
        Assert.That(image.AsSpan(0, 8 * 512).ToArray(), Is.All.EqualTo(0x5A));
        Assert.That(image.AsSpan(16 * 512).ToArray(), Is.All.EqualTo(0x5A));
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
        Assert.That(File.ReadAllBytes(_image), Is.All.EqualTo(0x5A));
    }

    [Test]
    public void TooManyRangesIsAnIoErrorAndChangesNothing()
    {
        using (var harness = Start())
        {
            var ranges = Enumerable.Range(0, (int)VirtioLimits.BlockMaxRangeSegments + 1).Select(i => new BlockRange((ulong)i, 1, 0)).ToArray();
            Assert.That(Send(harness, BlockRequestType.WriteZeroes, ranges), Is.EqualTo(BlockStatus.IoError));
        }
        Assert.That(File.ReadAllBytes(_image), Is.All.EqualTo(0x5A));
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
        Assert.That(File.ReadAllBytes(_image), Is.All.EqualTo(0x5A));
    }

    [TestCase(0, TestName = "RangeRequestWithoutRangesBreaksTheDevice")]
    [TestCase(20, TestName = "RangeRequestWithAPartialRangeBreaksTheDevice")]
    public void MalformedRangeListBreaksTheDevice(int bytes)
    {
        using var harness = Start();
        var queue = harness.Queues[0];
        var chain = new List<Buffer> { Buffer.Out(Header(queue, BlockRequestType.WriteZeroes), 16) };
        if (bytes > 0)
        {
            chain.Add(Buffer.Out(queue.Allocate(bytes), (uint)bytes));
        }
        chain.Add(Buffer.In(queue.Allocate(1), 1));
        queue.AddChain([.. chain]);
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("16-byte ranges"));
    }

    private DeviceHarness Start(bool readOnly = false)
    {
        var harness = new DeviceHarness(new BlockDevice(DiskImage.Open(_image, readOnly), "concierge-range"));
        harness.Activate();
        return harness;
    }

    private static ulong Header(TestVirtQueue queue, BlockRequestType type)
    {
        Span<byte> header = stackalloc byte[16];
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)type);
        return queue.Allocate(header);
    }

    /// <summary>Sends one DISCARD or WRITE_ZEROES listing <paramref name="ranges"/> and returns its status.</summary>
    private static BlockStatus Send(DeviceHarness harness, BlockRequestType type, params BlockRange[] ranges)
    {
        var queue = harness.Queues[0];
        var payload = new byte[ranges.Length * BlockRange.Size];
        for (var i = 0; i < ranges.Length; i++)
        {
            ranges[i].Write(payload.AsSpan(i * BlockRange.Size));
        }
        var status = queue.Allocate(1);
        harness.Memory.Write(status, (byte)0xEE);
        queue.AddChain(Buffer.Out(Header(queue, type), 16), Buffer.Out(queue.Allocate(payload), (uint)payload.Length), Buffer.In(status, 1));
        harness.KickAndWait(0, 1);
        return (BlockStatus)harness.Memory.Read<byte>(status);
    }
}
