using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;

namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>
/// The driver's side of one split virtqueue in fuzzed guest RAM: chains go into consecutive
/// descriptors and a bump-allocated data area, the way a simple driver would lay them out, so a
/// device target fuzzes what the chains say rather than where they are. Buffers are never
/// reused, so what the device wrote stays readable; the device consumes in order, so descriptors
/// are reclaimed from the used ring, and each returned chain is kept for <see cref="TakeCompleted"/>.
/// </summary>
public sealed class DriverQueue
{
    private readonly GuestMemory _memory;
    private readonly ulong _dataEnd;
    private readonly Queue<(ushort Head, DriverBuffer[] Buffers, ulong[] Addresses)> _inFlight = new();
    private readonly List<CompletedChain> _completed = [];
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
        _dataEnd = dataEnd;
        _nextData = dataStart;
    }

    /// <summary>The rings, as the driver programs them.</summary>
    public VirtQueueLayout Layout { get; }

    /// <summary>Chains made available so far.</summary>
    public ushort AvailableIndex => _availIndex;

    /// <summary>The used index the device last published.</summary>
    public ushort UsedIndex => _memory.Read<ushort>(Layout.UsedRing + 2);

    /// <summary>The chains the device returned since the last call, in order, with the bytes it wrote.</summary>
    public List<CompletedChain> TakeCompleted()
    {
        Reclaim();
        var completed = _completed.ToList();
        _completed.Clear();
        return completed;
    }

    /// <summary>Makes a chain of <paramref name="buffers"/> available; false when the ring or the data area has no room for it.</summary>
    public bool TryAdd(IReadOnlyList<DriverBuffer> buffers)
    {
        Reclaim();
        var bytes = buffers.Aggregate(0UL, (sum, b) => sum + ((b.Length + 15UL) & ~15UL));
        if (buffers.Count == 0 || buffers.Count > _freeDescriptors || bytes > _dataEnd - _nextData)
        {
            return false;
        }
        var head = _nextDescriptor;
        var addresses = new ulong[buffers.Count];
        for (var i = 0; i < buffers.Count; i++)
        {
            var buffer = buffers[i];
            var address = addresses[i] = _nextData;
            _nextData += (buffer.Length + 15UL) & ~15UL;
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
        _inFlight.Enqueue((head, [.. buffers], addresses));
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
        while (_reclaimedUsed != used && _inFlight.TryDequeue(out var chain))
        {
            var entry = Layout.UsedRing + 4 + (8UL * (ulong)(_reclaimedUsed % Layout.Size));
            var head = (ushort)_memory.Read<uint>(entry);
            var written = _memory.Read<uint>(entry + 4);
            var writable = chain.Buffers.Where(b => b.Writable).Aggregate(0U, (sum, b) => sum + b.Length);
            _completed.Add(new CompletedChain(chain.Head, head, written, writable, WrittenBytes(chain.Buffers, chain.Addresses, written)));
            _freeDescriptors += chain.Buffers.Length;
            _reclaimedUsed++;
        }
    }

    /// <summary>The first <paramref name="written"/> bytes of the chain's writable buffers (fewer if it claims more than they hold).</summary>
    private byte[] WrittenBytes(DriverBuffer[] buffers, ulong[] addresses, uint written)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < buffers.Length && bytes.Count < written; i++)
        {
            if (buffers[i].Writable)
            {
                var take = (int)Math.Min(buffers[i].Length, written - (uint)bytes.Count);
                bytes.AddRange(_memory.GetSpan(addresses[i], take).ToArray());
            }
        }
        return [.. bytes];
    }
}
