using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Devices.Virtio;

/// <summary>
/// The transport-independent half of a virtio device: its identity, features and config space,
/// and its life between DRIVER_OK and reset. Queue work runs on one worker thread per device;
/// the transport calls <see cref="Activate"/>, <see cref="Notify"/> and <see cref="Reset"/> from
/// vCPU threads (serialised by the transport). A guest fault seen on the worker marks the device
/// broken: it stops touching its queues and reports the reason until the guest resets it.
/// </summary>
public abstract class VirtioDevice : IPausableDevice, IDisposable
{
    private readonly object _lifecycle = new();
    private volatile DeviceWorker? _worker;
    private volatile string? _brokenReason;
    private bool _disposed;
    private long _notifications;
    private long _passes;
    private long _chains;
    private long _interrupts;

    /// <summary>Creates the device with its own feature bits (transport bits are added here).</summary>
    protected VirtioDevice(VirtioDeviceType type, ulong deviceFeatures, int queueCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queueCount);
        Type = type;
        OfferedFeatures = deviceFeatures | VirtioFeatures.Transport;
        QueueCount = queueCount;
    }

    /// <summary>The virtio device type.</summary>
    public VirtioDeviceType Type { get; }

    /// <summary>Every feature bit the device offers.</summary>
    public ulong OfferedFeatures { get; }

    /// <summary>Number of virtqueues.</summary>
    public int QueueCount { get; }

    /// <summary>Bytes of the device-specific config space.</summary>
    public abstract int ConfigSize { get; }

    /// <summary>Why the device stopped, if it is broken; null while it works.</summary>
    public string? BrokenReason => _brokenReason;

    /// <summary>Work done since the device was created (read at any time; the values are not one atomic snapshot).</summary>
    public VirtioDeviceCounters Counters => new(
        Interlocked.Read(ref _notifications), Interlocked.Read(ref _passes), Interlocked.Read(ref _chains), Interlocked.Read(ref _interrupts));

    /// <summary>Raised (on the worker thread) when the device breaks, with the reason.</summary>
    public event Action<string>? Broken;

    /// <summary>Guest memory while active.</summary>
    protected GuestMemory? Memory { get; private set; }

    /// <summary>Features the driver accepted, while active.</summary>
    protected ulong NegotiatedFeatures { get; private set; }

    /// <summary>Queues while active (null for a queue the driver left disabled).</summary>
    protected IReadOnlyList<VirtQueue?> Queues { get; private set; } = [];

    /// <summary>The transport, while active.</summary>
    protected IVirtioTransport? Transport { get; private set; }

    /// <summary>
    /// The queue whose doorbell the worker sleeps on itself when the transport allows it (no relay
    /// thread per kick): the one the guest kicks most. The other queues' kicks arrive through <see cref="Notify"/>.
    /// </summary>
    public virtual int DirectDoorbellQueue => 0;

    /// <summary>Largest size of queue <paramref name="queueIndex"/>.</summary>
    public virtual ushort MaxQueueSize(int queueIndex) => VirtioLimits.MaxQueueSize;

    /// <summary>The guest reads the device config space at <paramref name="offset"/>.</summary>
    public abstract void ReadConfig(int offset, Span<byte> data);

    /// <summary>The guest writes the device config space; ignored unless a device has writable fields.</summary>
    public virtual void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
    }

    /// <summary>
    /// DRIVER_OK: builds the queues from the driver's layouts and starts the worker. A bad layout
    /// breaks the device (the guest sees DEVICE_NEEDS_RESET), it does not throw.
    /// </summary>
    public void Activate(GuestMemory memory, ulong negotiatedFeatures, IReadOnlyList<VirtQueueLayout?> layouts, IVirtioTransport transport)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(layouts);
        ArgumentNullException.ThrowIfNull(transport);
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            StopWorker();
            Memory = memory;
            NegotiatedFeatures = negotiatedFeatures;
            Transport = transport;
            var eventIndex = (negotiatedFeatures & VirtioFeatures.RingEventIndex) != 0;
            var queues = new VirtQueue?[QueueCount];
            try
            {
                for (var i = 0; i < QueueCount && i < layouts.Count; i++)
                {
                    queues[i] = layouts[i] is { } layout ? VirtQueue.Create(memory, layout, eventIndex) : null;
                }
            }
            catch (VirtQueueFaultException fault)
            {
                Queues = queues;
                MarkBroken(fault.Message);
                return;
            }
            Queues = queues;
            OnActivated();
            _worker = new DeviceWorker(
                $"virtio-{Type}",
                RunPass,
                transport.DirectDoorbell(DirectDoorbellQueue),
                // Kicks on that doorbell can no longer reach us: say so rather than hang the guest.
                failure => MarkBroken($"{Type}: the doorbell of queue {DirectDoorbellQueue} failed: {failure}"));
        }
    }

    /// <summary>The guest notified queue <paramref name="queueIndex"/> (vCPU or relay thread: only wakes the worker).</summary>
    public void Notify(int queueIndex)
    {
        Interlocked.Increment(ref _notifications);
        _worker?.Wake();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Only the worker touches the queues and raises interrupts, so pausing it pauses the device:
    /// host-side events (vsock data, a relayed kick) only wake it, and it serves them on resume.
    /// Activation and reset come from vCPUs, which are parked before this is called.
    /// </remarks>
    public void Pause()
    {
        lock (_lifecycle)
        {
            _worker?.Pause();
        }
    }

    /// <inheritdoc />
    public void Resume()
    {
        lock (_lifecycle)
        {
            _worker?.Resume();
        }
    }

    /// <summary>Device reset (status 0): stops the worker, forgets queues, clears a broken state.</summary>
    public void Reset()
    {
        lock (_lifecycle)
        {
            StopWorker();
            OnReset();
            Queues = [];
            Memory = null;
            Transport = null;
            NegotiatedFeatures = 0;
            _brokenReason = null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the worker and releases what the device holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            StopWorker();
            OnReset();
        }
    }

    /// <summary>Asks the worker for a pass from a host-side event (e.g. vsock data to deliver).</summary>
    protected void WakeWorker() => _worker?.Wake();

    /// <summary>Runs at DRIVER_OK once the queues exist, before the worker's first pass.</summary>
    protected virtual void OnActivated()
    {
    }

    /// <summary>Runs at reset and dispose with the worker stopped: drop per-activation state.</summary>
    protected virtual void OnReset()
    {
    }

    /// <summary>Runs once when the device breaks (worker thread, or the vCPU thread at activation).</summary>
    protected virtual void OnBroken(string reason)
    {
    }

    /// <summary>One pass over the queues (worker thread). Throw <see cref="GuestFaultException"/> for guest nonsense.</summary>
    protected abstract void ProcessQueues(Func<bool> stopRequested);

    /// <summary>
    /// The usual loop over one queue: handles chains until none are left (re-checking after arming
    /// the driver's notification), bounded per pass, then interrupts if the driver wants it.
    /// </summary>
    protected void DrainQueue(int queueIndex, Func<DescriptorChain, uint> handle, Func<bool> stopRequested)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(stopRequested);
        if (Queues.Count <= queueIndex || Queues[queueIndex] is not { } queue)
        {
            return;
        }
        var handled = 0;
        do
        {
            while (handled < VirtioLimits.MaxChainsPerPass && !stopRequested() && queue.TryPopChain(out var chain))
            {
                queue.AddUsed(chain.HeadIndex, handle(chain));
                CountChain();
                handled++;
            }
            if (handled >= VirtioLimits.MaxChainsPerPass || stopRequested())
            {
                // Yield to other queues and to stop requests; come back for the rest.
                WakeWorker();
                break;
            }
        }
        while (queue.ArmNotificationAndCheckPending());
        SignalIfWanted(queueIndex);
    }

    /// <summary>Interrupts the guest for queue <paramref name="queueIndex"/> if its driver asked for it.</summary>
    protected void SignalIfWanted(int queueIndex)
    {
        if (Queues[queueIndex] is { } queue && queue.ShouldSignal())
        {
            Interlocked.Increment(ref _interrupts);
            Transport?.SignalQueue(queueIndex);
        }
    }

    /// <summary>Counts one chain returned to the driver (for <see cref="Counters"/>; worker thread).</summary>
    protected void CountChain() => Interlocked.Increment(ref _chains);

    /// <summary>Marks the device broken with <paramref name="reason"/>; it ignores its queues until reset.</summary>
    protected void MarkBroken(string reason)
    {
        if (_brokenReason is not null)
        {
            return;
        }
        _brokenReason = reason;
        OnBroken(reason);
        Transport?.ReportBroken(reason);
        try
        {
            Broken?.Invoke(reason);
        }
#pragma warning disable CA1031 // A subscriber's bug must not escape onto the worker thread.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private void RunPass(Func<bool> stopRequested)
    {
        if (_brokenReason is not null)
        {
            return;
        }
        Interlocked.Increment(ref _passes);
        try
        {
            ProcessQueues(stopRequested);
        }
        catch (GuestFaultException fault)
        {
            MarkBroken($"{Type}: {fault.Message}");
        }
#pragma warning disable CA1031 // The worker must survive anything: a device bug breaks this device, never the process.
        catch (Exception unexpected)
#pragma warning restore CA1031
        {
            MarkBroken($"{Type}: internal error: {unexpected}");
        }
    }

    private void StopWorker()
    {
        _worker?.Dispose();
        _worker = null;
    }
}
