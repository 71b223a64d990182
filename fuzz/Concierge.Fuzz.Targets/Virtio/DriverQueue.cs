using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;

namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>
/// The driver's side of one split virtqueue in fuzzed guest RAM: chains go into consecutive
/// descriptors and a bump-allocated (wrapping) data area, the way a simple driver would lay
/// them out, so a device target fuzzes what the chains say rather than where they are. The
/// device consumes in order, so descriptors are reclaimed from the used index.
/// </summary>
public sealed class DriverQueue
{
    private readonly GuestMemory _memory;
    private readonly ulong _dataStart;
    private readonly ulong _dataEnd;
    private readonly Queue<int> _inFlight = new();
    private ushort _nextDescriptor;
    private ushort _availIndex;
    private ushort _reclaimedUsed;
    private int _freeDescriptors;
    private ulong _nextData;

    /// <summary>Lays out a queue of <paramref name="size"/> at <paramref name="baseAddress"/>, buffers in [<paramref name="dataStart"/>, <paramref name="dataEnd"/>).</summary>
    public DriverQueue(GuestMemory memory, ulong baseAddress, ushort size, ulong dataStart, ulong dataEnd)
    {
        _memory = memory;
        var avail = baseAddress + (16UL * size);
        var used = (avail + 6 + (2UL * size) + 3) & ~3UL;
        Layout = new VirtQueueLayout(size, baseAddress, avail, used);
        _freeDescriptors = size;
        _dataStart = dataStart;
        _dataEnd = dataEnd;
        _nextData = dataStart;
    }

    /// <summary>The rings, as the driver programs them.</summary>
    public VirtQueueLayout Layout { get; }

    /// <summary>Chains made available so far.</summary>
    public ushort AvailableIndex => _availIndex;

    /// <summary>The used index the device last published.</summary>
    public ushort UsedIndex => _memory.Read<ushort>(Layout.UsedRing + 2);

    /// <summary>Makes a chain of <paramref name="buffers"/> available; false when the ring or the data area has no room for it.</summary>
    public bool TryAdd(IReadOnlyList<DriverBuffer> buffers)
    {
        Reclaim();
        var bytes = buffers.Aggregate(0UL, (sum, b) => sum + b.Length);
        if (buffers.Count == 0 || buffers.Count > _freeDescriptors || bytes > _dataEnd - _dataStart)
        {
            return false;
        }
        var head = _nextDescriptor;
        for (var i = 0; i < buffers.Count; i++)
        {
            var buffer = buffers[i];
            var address = Allocate(buffer.Length);
            _memory.Write(address, buffer.Content);
            var index = (ushort)((head + i) % Layout.Size);
            var last = i == buffers.Count - 1;
            var flags = (ushort)((buffer.Writable ? 2 : 0) | (last ? 0 : 1));
            var at = Layout.DescriptorTable + (16UL * index);
            _memory.Write(at, address);
            _memory.Write(at + 8, buffer.Length);
            _memory.Write(at + 12, flags);
            _memory.Write(at + 14, (ushort)((index + 1) % Layout.Size));
        }
        _nextDescriptor = (ushort)((head + buffers.Count) % Layout.Size);
        _freeDescriptors -= buffers.Count;
        _inFlight.Enqueue(buffers.Count);
        _memory.Write(Layout.AvailableRing + 4 + (2UL * (ulong)(_availIndex % Layout.Size)), head);
        _availIndex++;
        // The entry must be visible before the index that publishes it, as for a real driver.
        Thread.MemoryBarrier();
        _memory.Write(Layout.AvailableRing + 2, _availIndex);
        return true;
    }

    private void Reclaim()
    {
        var used = UsedIndex;
        while (_reclaimedUsed != used && _inFlight.TryDequeue(out var count))
        {
            _freeDescriptors += count;
            _reclaimedUsed++;
        }
    }

    private ulong Allocate(uint length)
    {
        if (_nextData + length > _dataEnd)
        {
            // Wrap: buffers of chains still in flight may be overwritten, which only changes their bytes.
            _nextData = _dataStart;
        }
        var address = _nextData;
        _nextData = (_nextData + length + 15) & ~15UL;
        return address;
    }
}
