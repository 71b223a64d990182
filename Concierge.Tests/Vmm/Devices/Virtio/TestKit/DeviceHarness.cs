using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;

namespace Concierge.Tests.Vmm.Devices.Virtio.TestKit;

/// <summary>
/// A device activated straight on fake guest RAM (no PCI): one <see cref="TestVirtQueue"/> per
/// queue and a <see cref="RecordingTransport"/>, so a test plays the driver with real rings.
/// </summary>
public sealed class DeviceHarness : IDisposable
{
    private const ulong QueueSpacing = 4 << 20;

    /// <summary>Lays out the device's queues in fresh guest RAM.</summary>
    public DeviceHarness(VirtioDevice device, ushort queueSize = 16)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        Memory = GuestMemory.Create(QueueSpacing * (ulong)(device.QueueCount + 1));
        Queues = Enumerable.Range(0, device.QueueCount)
            .Select(i => new TestVirtQueue(Memory, QueueSpacing * (ulong)(i + 1), queueSize, dataBytes: 3 << 20))
            .ToArray();
    }

    /// <summary>The device under test.</summary>
    public VirtioDevice Device { get; }

    /// <summary>The fake guest's RAM.</summary>
    public GuestMemory Memory { get; }

    /// <summary>The driver side of each queue.</summary>
    public IReadOnlyList<TestVirtQueue> Queues { get; }

    /// <summary>What the device asked of its transport.</summary>
    public RecordingTransport Transport { get; private set; } = new();

    /// <summary>DRIVER_OK with every offered feature accepted; the worker sleeps on <paramref name="doorbell"/> if given.</summary>
    public void Activate(IQueueDoorbell? doorbell = null)
    {
        Transport = new RecordingTransport { Doorbell = doorbell };
        Device.Activate(Memory, Device.OfferedFeatures, Queues.Select(q => (VirtQueueLayout?)q.Layout).ToArray(), Transport);
    }

    /// <summary>Notifies queue <paramref name="queue"/> and waits until it has <paramref name="usedCount"/> used entries.</summary>
    public void KickAndWait(int queue, int usedCount)
    {
        Device.Notify(queue);
        if (!Queues[queue].WaitForUsed(usedCount))
        {
            throw new TimeoutException($"queue {queue} reached used index {Queues[queue].UsedIndex}, not {usedCount}; broken: {Device.BrokenReason}");
        }
    }

    /// <summary>Notifies queue <paramref name="queue"/> and waits for the device to break; returns the reason.</summary>
    public string KickAndExpectBroken(int queue)
    {
        Device.Notify(queue);
        if (!Transport.WaitForBroken())
        {
            throw new TimeoutException($"device did not break; used index {Queues[queue].UsedIndex}");
        }
        return Transport.BrokenReason!;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Device.Dispose();
        Memory.Dispose();
    }
}
