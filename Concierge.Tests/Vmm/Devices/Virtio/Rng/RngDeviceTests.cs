using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Rng;
using NUnit.Framework;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Virtio.Rng;

[TestFixture, Category("Unit")]
public sealed class RngDeviceTests
{
    [Test]
    public void FillsEachWritableBufferWithRandomBytes()
    {
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate();
        var queue = harness.Queues[0];
        var first = queue.Allocate(4096);
        var second = queue.Allocate(100);
        queue.AddChain(Buffer.In(first, 4000), Buffer.In(second, 100));

        harness.KickAndWait(0, 1);

        Assert.That(queue.UsedEntry(0).Written, Is.EqualTo(4100));
        var bytes = harness.Memory.GetSpan(first, 4000).ToArray();
        Assert.That(bytes.Distinct().Count(), Is.GreaterThan(200), "4000 random bytes use most byte values");
        Assert.That(harness.Memory.GetSpan(second, 100).ToArray(), Is.Not.All.EqualTo(0));
        Assert.That(harness.Transport.Signals, Does.Contain(0));
    }

    [Test]
    public void LargeRequestIsCappedByTheLimit()
    {
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.In(queue.Allocate(1 << 20), 1 << 20));
        harness.KickAndWait(0, 1);
        Assert.That(queue.UsedEntry(0).Written, Is.EqualTo((uint)VirtioLimits.RngMaxBytesPerRequest));
    }

    [Test]
    public void ReadableBufferBreaksTheDevice()
    {
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.Out(queue.Allocate(16), 16), Buffer.In(queue.Allocate(16), 16));
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("device-writable only"));
        Assert.That(harness.Device.BrokenReason, Is.Not.Null);
    }

    [Test]
    public void BrokenDeviceIgnoresTheQueueUntilReset()
    {
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate();
        var queue = harness.Queues[0];
        queue.SetAvailableIndex(500);
        Assert.That(harness.KickAndExpectBroken(0), Does.Contain("exceed the queue size"));

        harness.Device.Reset();
        Assert.That(harness.Device.BrokenReason, Is.Null);
        var fresh = new TestVirtQueue(harness.Memory, queue.Layout.DescriptorTable, queue.Layout.Size);
        fresh.AddChain(Buffer.In(fresh.Allocate(32), 32));
        harness.Device.Activate(harness.Memory, harness.Device.OfferedFeatures, [fresh.Layout], harness.Transport);
        harness.Device.Notify(0);
        Assert.That(fresh.WaitForUsed(1), Is.True);
    }

    [Test]
    public void DoorbellAfterResetIsHarmless()
    {
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate();
        harness.Device.Reset();
        Assert.DoesNotThrow(() => harness.Device.Notify(0));
        Assert.DoesNotThrow(() => harness.Device.Notify(99));
    }
}
