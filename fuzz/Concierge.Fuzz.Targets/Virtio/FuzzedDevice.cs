using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;

namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>
/// A virtio device activated on fuzzed guest RAM with one <see cref="DriverQueue"/> per queue,
/// served by its own production worker thread. <see cref="Settle"/> waits until the worker has
/// handled everything made available so far; <see cref="ThrowIfInternalError()"/> turns a device
/// that broke on a bug (rather than on the guest's nonsense) into a finding.
/// </summary>
public sealed class FuzzedDevice : IDisposable
{
    private const ulong QueueArea = 64 << 10;
    private const ulong DataBytes = 1 << 20;
    private static readonly TimeSpan PassTimeout = TimeSpan.FromSeconds(10);
    private readonly ushort _queueSize;

    /// <summary>Gives <paramref name="device"/> (owned) fresh RAM and queues of <paramref name="queueSize"/>.</summary>
    public FuzzedDevice(VirtioDevice device, ushort queueSize)
    {
        Device = device;
        _queueSize = queueSize;
        Memory = GuestMemory.Create((QueueArea + DataBytes) * (ulong)device.QueueCount);
        Queues = NewQueues();
    }

    /// <summary>The device under test.</summary>
    public VirtioDevice Device { get; }

    /// <summary>The fuzzed guest's RAM.</summary>
    public GuestMemory Memory { get; }

    /// <summary>The driver side of each queue (new ones after <see cref="Reset"/>).</summary>
    public IReadOnlyList<DriverQueue> Queues { get; private set; }

    /// <summary>DRIVER_OK with <paramref name="features"/> accepted: the worker starts and makes its first pass.</summary>
    public void Activate(ulong features)
    {
        Device.Activate(Memory, features, Queues.Select(q => (VirtQueueLayout?)q.Layout).ToArray(), new FuzzTransport());
    }

    /// <summary>The guest resets the device (status 0): the worker stops; queues must be laid out again before the next activation.</summary>
    public void Reset()
    {
        Device.Reset();
        Memory.GetSpan(0, (int)(QueueArea * (ulong)Device.QueueCount)).Clear();
        Queues = NewQueues();
    }

    /// <summary>
    /// Kicks and waits until the worker started a pass after the kick, twice: the second start
    /// means the first pass, which saw everything made available before, has ended.
    /// </summary>
    /// <exception cref="FuzzFindingException">The worker did not come back (a pass that does not end).</exception>
    public void Settle()
    {
        for (var round = 0; round < 2; round++)
        {
            var before = Device.Counters.Passes;
            Device.Notify(0);
            if (!SpinWait.SpinUntil(() => Device.Counters.Passes > before || Device.BrokenReason is not null, PassTimeout))
            {
                throw new FuzzFindingException($"{Device.Type}: the worker did not finish a pass within {PassTimeout.TotalSeconds} s");
            }
        }
    }

    /// <summary>
    /// The chains queue <paramref name="queue"/> returned since the last call, checked against what
    /// every in-order device owes the driver: the head it was given back, and no more bytes written
    /// than the chain's writable buffers hold (virtio 1.x, 2.7.8: the driver trusts that length).
    /// </summary>
    /// <exception cref="FuzzFindingException">A used entry breaks that.</exception>
    public List<CompletedChain> TakeCompleted(int queue)
    {
        var completed = Queues[queue].TakeCompleted();
        foreach (var chain in completed)
        {
            if (chain.UsedHead != chain.Head || chain.Written > chain.WritableBytes)
            {
                throw new FuzzFindingException($"{Device.Type} queue {queue}: used entry (head {chain.UsedHead}, {chain.Written} bytes) for chain {chain.Head} of {chain.WritableBytes} writable bytes");
            }
        }
        return completed;
    }

    /// <summary>Throws when the device broke on an exception that is not a guest fault, i.e. a bug of ours.</summary>
    public void ThrowIfInternalError() => ThrowIfInternalError(Device);

    /// <summary>Throws when <paramref name="device"/> broke on an exception that is not a guest fault.</summary>
    public static void ThrowIfInternalError(VirtioDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        // VirtioDevice words what its worker caught that was no GuestFaultException this way.
        if (device.BrokenReason is { } reason && reason.Contains("internal error", StringComparison.Ordinal))
        {
            throw new FuzzFindingException(reason);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Device.Dispose();
        Memory.Dispose();
    }

    private DriverQueue[] NewQueues() => Enumerable.Range(0, Device.QueueCount)
        .Select(i =>
        {
            var dataStart = (QueueArea * (ulong)Device.QueueCount) + (DataBytes * (ulong)i);
            return new DriverQueue(Memory, QueueArea * (ulong)i, _queueSize, dataStart, dataStart + DataBytes);
        })
        .ToArray();
}
