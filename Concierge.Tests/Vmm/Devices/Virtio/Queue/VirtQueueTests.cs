using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;
using NUnit.Framework;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Virtio.Queue;

[TestFixture, Category("Unit")]
public sealed class VirtQueueTests
{
    private const ushort Next = 1;
    private const ushort Write = 2;
    private const ushort Indirect = 4;

    private GuestMemory _memory = null!;
    private TestVirtQueue _driver = null!;

    [SetUp]
    public void SetUp()
    {
        _memory = GuestMemory.Create(4 << 20);
        _driver = new TestVirtQueue(_memory, 0x10000, 16);
    }

    [TearDown]
    public void TearDown() => _memory.Dispose();

    private VirtQueue Device(bool eventIndex = true) => VirtQueue.Create(_memory, _driver.Layout, eventIndex);

    [Test]
    public void EmptyQueueHasNoChain()
    {
        Assert.That(Device().TryPopChain(out _), Is.False);
    }

    [Test]
    public void ChainIsSplitIntoReadableThenWritableSegments()
    {
        var request = _driver.Allocate("hello"u8);
        var reply = _driver.Allocate(64);
        var head = _driver.AddChain(Buffer.Out(request, 5), Buffer.In(reply, 64));
        var queue = Device();

        Assert.That(queue.TryPopChain(out var chain), Is.True);
        Assert.That(chain!.HeadIndex, Is.EqualTo(head));
        Assert.That(chain.Readable, Is.EqualTo(new[] { new ChainSegment(request, 5) }));
        Assert.That(chain.Writable, Is.EqualTo(new[] { new ChainSegment(reply, 64) }));
        Span<byte> copy = stackalloc byte[5];
        Assert.That(chain.CopyFromReadable(_memory, 0, copy), Is.EqualTo(5));
        Assert.That(copy.ToArray(), Is.EqualTo("hello"u8.ToArray()));
        Assert.That(queue.TryPopChain(out _), Is.False);
    }

    [Test]
    public void UsedEntriesArePublishedInOrder()
    {
        var queue = Device();
        var first = _driver.AddChain(Buffer.In(_driver.Allocate(8), 8));
        var second = _driver.AddChain(Buffer.In(_driver.Allocate(8), 8));
        Assert.That(queue.TryPopChain(out var a), Is.True);
        Assert.That(queue.TryPopChain(out var b), Is.True);
        queue.AddUsed(b!.HeadIndex, 3);
        queue.AddUsed(a!.HeadIndex, 7);
        Assert.That(_driver.UsedIndex, Is.EqualTo(2));
        Assert.That(_driver.UsedEntry(0), Is.EqualTo((second, 3u)));
        Assert.That(_driver.UsedEntry(1), Is.EqualTo((first, 7u)));
    }

    [Test]
    public void ChainAsLongAsTheQueueIsAccepted()
    {
        var buffers = Enumerable.Range(0, 16).Select(_ => Buffer.Out(_driver.Allocate(4), 4)).ToArray();
        _driver.AddChain(buffers);
        Assert.That(Device().TryPopChain(out var chain), Is.True);
        Assert.That(chain!.Readable, Has.Count.EqualTo(16));
    }

    [Test]
    public void ZeroLengthDescriptorsAreDropped()
    {
        _driver.AddChain(Buffer.Out(_driver.Allocate(4), 0), Buffer.In(_driver.Allocate(4), 4));
        Assert.That(Device().TryPopChain(out var chain), Is.True);
        Assert.That(chain!.Readable, Is.Empty);
        Assert.That(chain.WritableBytes, Is.EqualTo(4));
    }

    [Test]
    public void DescriptorLoopFaults()
    {
        var buffer = _driver.Allocate(4);
        _driver.WriteDescriptor(0, buffer, 4, Next, 1);
        _driver.WriteDescriptor(1, buffer, 4, Next, 0);
        _driver.Publish(0);
        AssertFault(Device(), "loop");
    }

    [Test]
    public void SelfLoopFaults()
    {
        _driver.WriteDescriptor(3, _driver.Allocate(4), 4, Next, 3);
        _driver.Publish(3);
        AssertFault(Device(), "loop");
    }

    [Test]
    public void NextOutsideTheQueueFaults()
    {
        _driver.WriteDescriptor(0, _driver.Allocate(4), 4, Next, 16);
        _driver.Publish(0);
        AssertFault(Device(), "outside the queue");
    }

    [Test]
    public void HeadOutsideTheQueueFaults()
    {
        _driver.Publish(40);
        AssertFault(Device(), "outside the queue");
    }

    [TestCase(0xFFFF_FFFF_FFFF_F000UL, 4096u)]
    [TestCase(0x3FFF00UL, 0x200u)]
    [TestCase(0x8000_0000UL, 1u)]
    public void BufferOutsideGuestRamFaults(ulong address, uint length)
    {
        _driver.AddChain(Buffer.In(address, length));
        AssertFault(Device(), "outside guest RAM");
    }

    [Test]
    public void OversizedLengthFaults()
    {
        _driver.AddChain(Buffer.Out(0x1000, uint.MaxValue));
        AssertFault(Device(), "more than");
    }

    [Test]
    public void ManyLargeDescriptorsTogetherOverTheByteLimitFault()
    {
        // Each fits in RAM, but the chain as a whole describes more than the limit.
        var buffers = Enumerable.Range(0, 5).Select(_ => Buffer.In(0, 4 << 20)).ToArray();
        _driver.AddChain(buffers);
        AssertFault(Device(), "more than");
    }

    [Test]
    public void ReadableAfterWritableFaults()
    {
        _driver.AddChain(Buffer.In(_driver.Allocate(4), 4), Buffer.Out(_driver.Allocate(4), 4));
        AssertFault(Device(), "follows a device-writable");
    }

    [Test]
    public void IndirectDescriptorFaults()
    {
        _driver.WriteDescriptor(0, _driver.Allocate(64), 64, Indirect, 0);
        _driver.Publish(0);
        AssertFault(Device(), "indirect");
    }

    [Test]
    public void UnknownFlagFaults()
    {
        _driver.WriteDescriptor(0, _driver.Allocate(4), 4, 0x80 | Write, 0);
        _driver.Publish(0);
        AssertFault(Device(), "unknown flags");
    }

    [TestCase((ushort)17)]
    [TestCase((ushort)1000)]
    [TestCase((ushort)0xFFFF)]
    public void AvailableIndexJumpingBeyondTheQueueSizeFaults(ushort index)
    {
        _driver.SetAvailableIndex(index);
        AssertFault(Device(), "exceed the queue size");
    }

    [Test]
    public void FaultIsLatchedUntilANewQueueIsBuilt()
    {
        _driver.SetAvailableIndex(1000);
        var queue = Device();
        AssertFault(queue, "exceed");
        _driver.SetAvailableIndex(0);
        Assert.Throws<VirtQueueFaultException>(() => queue.TryPopChain(out _));
        Assert.Throws<VirtQueueFaultException>(() => queue.AddUsed(0, 0));
        Assert.That(queue.FaultReason, Does.Contain("exceed"));
        Assert.That(Device().TryPopChain(out _), Is.False, "a reset (fresh queue) starts clean");
    }

    [TestCase((ushort)0, 0x10000UL, 0x20000UL, 0x30000UL, "power of two")]
    [TestCase((ushort)24, 0x10000UL, 0x20000UL, 0x30000UL, "power of two")]
    [TestCase((ushort)512, 0x10000UL, 0x20000UL, 0x30000UL, "power of two")]
    [TestCase((ushort)16, 0x10008UL, 0x20000UL, 0x30000UL, "aligned")]
    [TestCase((ushort)16, 0x10000UL, 0x20001UL, 0x30000UL, "aligned")]
    [TestCase((ushort)16, 0x10000UL, 0x20000UL, 0x30002UL, "aligned")]
    [TestCase((ushort)16, 0x10000UL, 0x20000UL, 0x3FFFC0UL, "outside guest RAM")]
    [TestCase((ushort)16, 0xFFFF_FFFF_FFFF_FFF0UL, 0x20000UL, 0x30000UL, "outside guest RAM")]
    public void InvalidLayoutIsRefused(ushort size, ulong descriptors, ulong avail, ulong used, string reason)
    {
        var fault = Assert.Throws<VirtQueueFaultException>(() => VirtQueue.Create(_memory, new VirtQueueLayout(size, descriptors, avail, used), eventIndex: true));
        Assert.That(fault!.Message, Does.Contain(reason));
    }

    [Test]
    public void EventIndexSignalsOnlyWhenUsedEventIsCrossed()
    {
        var queue = Device();
        for (var i = 0; i < 3; i++)
        {
            _driver.AddChain(Buffer.In(_driver.Allocate(4), 4));
        }
        _driver.SetUsedEvent(1); // interrupt me once entry 1 (the second) is used
        Assert.That(queue.TryPopChain(out var c0), Is.True);
        queue.AddUsed(c0!.HeadIndex, 0);
        Assert.That(queue.ShouldSignal(), Is.False, "used idx 1 has not passed used_event 1");
        Assert.That(queue.TryPopChain(out var c1), Is.True);
        queue.AddUsed(c1!.HeadIndex, 0);
        Assert.That(queue.ShouldSignal(), Is.True);
        Assert.That(queue.ShouldSignal(), Is.False, "nothing new since the last signal");
    }

    [Test]
    public void WithoutEventIndexTheNoInterruptFlagIsHonoured()
    {
        var queue = Device(eventIndex: false);
        _driver.AddChain(Buffer.In(_driver.Allocate(4), 4));
        _driver.AddChain(Buffer.In(_driver.Allocate(4), 4));
        _memory.Write(_driver.Layout.AvailableRing, (ushort)1);
        Assert.That(queue.TryPopChain(out var c0), Is.True);
        queue.AddUsed(c0!.HeadIndex, 0);
        Assert.That(queue.ShouldSignal(), Is.False);
        _memory.Write(_driver.Layout.AvailableRing, (ushort)0);
        Assert.That(queue.TryPopChain(out var c1), Is.True);
        queue.AddUsed(c1!.HeadIndex, 0);
        Assert.That(queue.ShouldSignal(), Is.True);
    }

    [Test]
    public void ArmingPublishesAvailEventAndReportsLateArrivals()
    {
        var queue = Device();
        _driver.AddChain(Buffer.In(_driver.Allocate(4), 4));
        Assert.That(queue.TryPopChain(out _), Is.True);
        Assert.That(queue.ArmNotificationAndCheckPending(), Is.False);
        Assert.That(_driver.AvailEvent, Is.EqualTo(1));
        _driver.AddChain(Buffer.In(_driver.Allocate(4), 4));
        Assert.That(queue.ArmNotificationAndCheckPending(), Is.True);
    }

    [Test]
    public void IndexesWrapAroundSixteenBits()
    {
        var queue = Device();
        const int Rounds = 70000 / 16;
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < 16; i++)
            {
                _driver.AddChain(Buffer.In(0x1000, 4));
            }
            for (var i = 0; i < 16; i++)
            {
                Assert.That(queue.TryPopChain(out var chain), Is.True);
                queue.AddUsed(chain!.HeadIndex, 4);
            }
        }
        Assert.That(queue.TryPopChain(out _), Is.False);
        Assert.That(_driver.UsedIndex, Is.EqualTo(unchecked((ushort)(Rounds * 16))));
    }

    private static void AssertFault(VirtQueue queue, string reason)
    {
        var fault = Assert.Throws<VirtQueueFaultException>(() => queue.TryPopChain(out _));
        Assert.That(fault!.Message, Does.Contain(reason));
        Assert.That(queue.FaultReason, Is.EqualTo(fault.Message));
    }
}
