using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Virtio.Rng;
using NUnit.Framework;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Virtio;

/// <summary>
/// A paused device makes no progress the guest could see: no chain returned, no interrupt, however
/// often it is kicked, and it serves what waited once resumed.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class DevicePauseTests
{
    // Long enough for an unpaused worker to serve a chain many times over (it takes microseconds).
    private static readonly TimeSpan Watched = TimeSpan.FromMilliseconds(500);

    [Test]
    public void APausedDeviceServesNothingUntilResumed()
    {
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate();
        var queue = harness.Queues[0];
        queue.AddChain(Buffer.In(queue.Allocate(64), 64));
        harness.KickAndWait(0, 1);
        // The interrupt follows the used entry within the same pass.
        Assert.That(() => harness.Transport.Signals.Count, Is.EqualTo(1).After(10_000, 10));
        var interrupts = harness.Transport.Signals.Count;
        // The driver asks for an interrupt at the next used entry (event index), as Linux does.
        queue.SetUsedEvent(1);

        harness.Device.Pause();
        queue.AddChain(Buffer.In(queue.Allocate(64), 64));
        harness.Device.Notify(0);
        harness.Device.Notify(0);

        Assert.That(queue.WaitForUsed(2, Watched), Is.False, "no chain is returned while paused");
        Assert.That(harness.Transport.Signals, Has.Count.EqualTo(interrupts), "no interrupt while paused");
        harness.Device.Resume();
        Assert.That(queue.WaitForUsed(2), Is.True, "the chain that waited is served after resume, with no new kick");
        Assert.That(() => harness.Transport.Signals.Count, Is.GreaterThan(interrupts).After(10_000, 10));
    }

    [Test]
    public void APausedDeviceStillResetsAndDisposes()
    {
        using var harness = new DeviceHarness(new RngDevice());
        harness.Activate();
        harness.Device.Pause();
        harness.Device.Notify(0);
        var reset = Task.Run(harness.Device.Reset);
        Assert.That(reset.Wait(TimeSpan.FromSeconds(10)), Is.True, "reset stopped the paused worker");
    }
}
