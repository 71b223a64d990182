using System.Collections.Concurrent;
using Concierge.Vmm.Devices.Virtio;

namespace Concierge.Tests.Vmm.Devices.Virtio.TestKit;

/// <summary>A transport that records what a device asks of it, so device tests need no PCI.</summary>
public sealed class RecordingTransport : IVirtioTransport
{
    private readonly ConcurrentQueue<int> _signals = new();
    private volatile string? _broken;

    /// <summary>Queue indexes signalled, in order.</summary>
    public IReadOnlyCollection<int> Signals => _signals;

    /// <summary>The reason given when the device broke, if it did.</summary>
    public string? BrokenReason => _broken;

    /// <inheritdoc />
    public void SignalQueue(int queueIndex) => _signals.Enqueue(queueIndex);

    /// <inheritdoc />
    public void ReportBroken(string reason) => _broken = reason;

    /// <summary>The doorbell offered for queue 0 (null: every kick goes through Notify).</summary>
    public IQueueDoorbell? Doorbell { get; init; }

    /// <inheritdoc />
    public IQueueDoorbell? DirectDoorbell(int queueIndex) => queueIndex == 0 ? Doorbell : null;

    /// <summary>Waits until the device reports itself broken.</summary>
    public bool WaitForBroken(TimeSpan? timeout = null) =>
        SpinWait.SpinUntil(() => _broken is not null, timeout ?? TimeSpan.FromSeconds(10));
}
