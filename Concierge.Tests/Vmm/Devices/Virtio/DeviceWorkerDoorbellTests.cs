using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Rng;
using NUnit.Framework;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Virtio;

/// <summary>A worker that sleeps on its queue's doorbell (virtio-pci: the ioeventfd) instead of being relayed every kick.</summary>
[TestFixture, Category("Unit")]
public sealed class DeviceWorkerDoorbellTests
{
    [Test]
    public void RingingTheDoorbellWakesTheWorkerWithoutNotify()
    {
        using var doorbell = new TestDoorbell();
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate(doorbell);
        var queue = harness.Queues[0];

        queue.AddChain(Buffer.In(queue.Allocate(64), 64));
        doorbell.Ring();
        Assert.That(queue.WaitForUsed(1), Is.True, "the guest's kick alone (the doorbell) got the chain served");

        queue.AddChain(Buffer.In(queue.Allocate(64), 64));
        harness.KickAndWait(0, 2);
        Assert.That(harness.Device.BrokenReason, Is.Null);
    }

    [Test]
    public void ResetStopsAWorkerAsleepOnTheDoorbell()
    {
        using var doorbell = new TestDoorbell();
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate(doorbell);
        var reset = Task.Run(harness.Device.Reset);
        Assert.That(reset.Wait(TimeSpan.FromSeconds(10)), Is.True, "reset woke and joined the sleeping worker");
    }

    [Test]
    public void AFailingDoorbellBreaksTheDeviceInsteadOfHangingTheGuest()
    {
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate(new FailingDoorbell());
        Assert.That(harness.Transport.WaitForBroken(), Is.True);
        Assert.That(harness.Transport.BrokenReason, Does.Contain("doorbell of queue 0 failed").And.Contain("eventfd gone"));
    }

    /// <summary>Coalescing like an eventfd: a ring with nobody waiting is kept for the next wait.</summary>
    private sealed class TestDoorbell : IQueueDoorbell, IDisposable
    {
        private readonly AutoResetEvent _rung = new(false);

        public void Ring() => _rung.Set();

        public void Wait() => _rung.WaitOne();

        public void Dispose() => _rung.Dispose();
    }

    private sealed class FailingDoorbell : IQueueDoorbell
    {
        private int _waits;

        public void Ring()
        {
        }

        // The first wait returns (the worker's start-up pass); the next one fails.
        public void Wait()
        {
            if (Interlocked.Increment(ref _waits) > 1)
            {
                throw new IOException("eventfd gone");
            }
        }
    }
}
