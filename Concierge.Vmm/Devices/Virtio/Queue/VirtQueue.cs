using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Devices.Virtio.Queue;

/// <summary>
/// The device side of one split virtqueue (virtio 1.x, 2.7). Used by exactly one thread (the
/// owning device's worker). Every guest field is read once and validated; the first fault is
/// latched: every later call throws it again until the driver resets the device, which builds
/// a fresh queue.
/// </summary>
public sealed class VirtQueue
{
    // Offsets inside the rings (virtio 1.x, 2.7.6 and 2.7.8).
    private const ulong RingIndexOffset = 2;
    private const ulong RingEntriesOffset = 4;
    private const ushort AvailNoInterrupt = 1;

    private readonly GuestMemory _memory;
    private readonly VirtQueueLayout _layout;
    private readonly bool _eventIndex;
    private ushort _nextAvail;
    private ushort _nextUsed;
    private ushort _lastSignalledUsed;
    private string? _fault;

    private VirtQueue(GuestMemory memory, VirtQueueLayout layout, bool eventIndex)
    {
        _memory = memory;
        _layout = layout;
        _eventIndex = eventIndex;
    }

    /// <summary>Number of descriptors.</summary>
    public ushort Size => _layout.Size;

    /// <summary>Why the queue stopped, once it has faulted.</summary>
    public string? FaultReason => _fault;

    /// <summary>
    /// Checks the driver's layout (size a power of two within the limit, rings aligned and inside
    /// guest RAM) and returns the queue.
    /// </summary>
    /// <exception cref="VirtQueueFaultException">The layout is invalid.</exception>
    public static VirtQueue Create(GuestMemory memory, VirtQueueLayout layout, bool eventIndex)
    {
        ArgumentNullException.ThrowIfNull(memory);
        if (layout.Size == 0 || !BitOperations.IsPow2(layout.Size) || layout.Size > VirtioLimits.MaxQueueSize)
        {
            throw new VirtQueueFaultException($"queue size {layout.Size} is not a power of two in [1, {VirtioLimits.MaxQueueSize}]");
        }
        CheckRing("descriptor table", memory, layout.DescriptorTable, layout.DescriptorTableBytes, 16);
        CheckRing("available ring", memory, layout.AvailableRing, layout.AvailableRingBytes, 2);
        CheckRing("used ring", memory, layout.UsedRing, layout.UsedRingBytes, 4);
        return new VirtQueue(memory, layout, eventIndex);
    }

    /// <summary>
    /// Takes the next chain the driver made available, validated whole; false when there is none.
    /// </summary>
    /// <exception cref="VirtQueueFaultException">The driver's ring or chain is invalid (latched).</exception>
    public bool TryPopChain([NotNullWhen(true)] out DescriptorChain? chain)
    {
        ThrowIfFaulted();
        var availableIndex = ReadAvailableIndex();
        var pending = (ushort)(availableIndex - _nextAvail);
        if (pending == 0)
        {
            chain = null;
            return false;
        }
        if (pending > Size)
        {
            Fault($"available index jumped to {availableIndex} with only {_nextAvail} consumed: {pending} entries exceed the queue size {Size}");
        }
        var slot = _layout.AvailableRing + RingEntriesOffset + (2UL * (ulong)(_nextAvail % Size));
        var head = _memory.Read<ushort>(slot);
        chain = ReadChain(head);
        _nextAvail++;
        return true;
    }

    /// <summary>Returns a chain to the driver: <paramref name="bytesWritten"/> is how much of its writable part the device filled.</summary>
    public void AddUsed(ushort headIndex, uint bytesWritten)
    {
        ThrowIfFaulted();
        var slot = _layout.UsedRing + RingEntriesOffset + (8UL * (ulong)(_nextUsed % Size));
        _memory.Write(slot, headIndex | ((ulong)bytesWritten << 32));
        _nextUsed++;
        // Release: the element must be visible before the index that publishes it.
        Volatile.Write(ref _memory.GetAlignedRef<ushort>(_layout.UsedRing + RingIndexOffset), _nextUsed);
    }

    /// <summary>
    /// Whether the driver wants an interrupt for the entries added since the last call
    /// (used_event with event index, else the NO_INTERRUPT flag).
    /// </summary>
    public bool ShouldSignal()
    {
        ThrowIfFaulted();
        // Full fence: our used-index store must be globally visible before we read the driver's
        // wish, or the driver could sleep on an index it has not seen while we skip the interrupt.
        Interlocked.MemoryBarrier();
        var previous = _lastSignalledUsed;
        _lastSignalledUsed = _nextUsed;
        if (previous == _nextUsed)
        {
            return false;
        }
        if (!_eventIndex)
        {
            var flags = Volatile.Read(ref _memory.GetAlignedRef<ushort>(_layout.AvailableRing));
            return (flags & AvailNoInterrupt) == 0;
        }
        var usedEvent = Volatile.Read(ref _memory.GetAlignedRef<ushort>(_layout.AvailableRing + RingEntriesOffset + (2UL * Size)));
        // vring_need_event: signal if used_event lies in (previous, _nextUsed].
        return (ushort)(_nextUsed - usedEvent - 1) < (ushort)(_nextUsed - previous);
    }

    /// <summary>
    /// Before the worker sleeps: asks the driver to notify when it adds the next entry
    /// (avail_event), then re-checks; true when entries arrived meanwhile and the worker should go on.
    /// </summary>
    public bool ArmNotificationAndCheckPending()
    {
        ThrowIfFaulted();
        if (_eventIndex)
        {
            Volatile.Write(ref _memory.GetAlignedRef<ushort>(_layout.UsedRing + RingEntriesOffset + (8UL * Size)), _nextAvail);
        }
        // Full fence: publish avail_event before re-reading the index, pairing with the driver's
        // "write idx, fence, read avail_event" so one side always sees the other.
        Interlocked.MemoryBarrier();
        return ReadAvailableIndex() != _nextAvail;
    }

    private ushort ReadAvailableIndex() =>
        // Acquire: ring entries and descriptors are read only after the index that published them.
        Volatile.Read(ref _memory.GetAlignedRef<ushort>(_layout.AvailableRing + RingIndexOffset));

    private DescriptorChain ReadChain(ushort head)
    {
        if (head >= Size)
        {
            Fault($"available ring names descriptor {head}, outside the queue of {Size}");
        }
        var readable = new List<ChainSegment>(4);
        var writable = new List<ChainSegment>(4);
        ulong total = 0;
        var index = head;
        var hopLimit = Math.Min((int)Size, VirtioLimits.MaxChainDescriptors);
        for (var hops = 0; ; hops++)
        {
            if (hops >= hopLimit)
            {
                Fault($"descriptor chain from head {head} is longer than {hopLimit} descriptors (a loop)");
            }
            var descriptor = _memory.Read<VirtqDescriptor>(_layout.DescriptorTable + (16UL * index));
            if ((descriptor.Flags & VirtqDescriptor.FlagIndirect) != 0)
            {
                Fault($"descriptor {index} is indirect, a feature this device never offered");
            }
            if ((descriptor.Flags & ~(VirtqDescriptor.FlagNext | VirtqDescriptor.FlagWrite)) != 0)
            {
                Fault($"descriptor {index} has unknown flags 0x{descriptor.Flags:x}");
            }
            var isWritable = (descriptor.Flags & VirtqDescriptor.FlagWrite) != 0;
            if (!isWritable && writable.Count > 0)
            {
                Fault($"descriptor {index} is device-readable but follows a device-writable one");
            }
            total += descriptor.Length;
            if (total > VirtioLimits.MaxChainBytes)
            {
                Fault($"descriptor chain from head {head} describes more than {VirtioLimits.MaxChainBytes} bytes");
            }
            if (descriptor.Length != 0)
            {
                if (!_memory.Contains(descriptor.Address, descriptor.Length))
                {
                    Fault($"descriptor {index} points at 0x{descriptor.Address:x}+0x{descriptor.Length:x}, outside guest RAM");
                }
                (isWritable ? writable : readable).Add(new ChainSegment(descriptor.Address, descriptor.Length));
            }
            if ((descriptor.Flags & VirtqDescriptor.FlagNext) == 0)
            {
                break;
            }
            if (descriptor.Next >= Size)
            {
                Fault($"descriptor {index} continues at {descriptor.Next}, outside the queue of {Size}");
            }
            index = descriptor.Next;
        }
        return new DescriptorChain(head, [.. readable], [.. writable]);
    }

    private static void CheckRing(string name, GuestMemory memory, ulong address, ulong length, ulong alignment)
    {
        if (address % alignment != 0)
        {
            throw new VirtQueueFaultException($"{name} at 0x{address:x} is not {alignment}-byte aligned");
        }
        // Event-index fields sit right after the rings: always reserve them.
        if (!memory.Contains(address, length + 2))
        {
            throw new VirtQueueFaultException($"{name} at 0x{address:x}+0x{length + 2:x} is outside guest RAM");
        }
    }

    private void ThrowIfFaulted()
    {
        if (_fault is not null)
        {
            throw new VirtQueueFaultException(_fault);
        }
    }

    [DoesNotReturn]
    private void Fault(string reason)
    {
        _fault = reason;
        throw new VirtQueueFaultException(reason);
    }
}
