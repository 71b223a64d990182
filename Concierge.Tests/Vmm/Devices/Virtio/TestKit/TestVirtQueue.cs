using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;

namespace Concierge.Tests.Vmm.Devices.Virtio.TestKit;

/// <summary>
/// The driver side of a split virtqueue in a test's guest RAM, laid out like Linux does it:
/// descriptor table, available ring, used ring, then a bump-allocated data area. Tests build
/// good chains with <see cref="AddChain"/> or write any crafted descriptor with <see cref="WriteDescriptor"/>.
/// </summary>
public sealed class TestVirtQueue
{
    private const ushort FlagNext = 1;
    private const ushort FlagWrite = 2;

    private readonly GuestMemory _memory;
    private ushort _nextDescriptor;
    private ushort _availIndex;
    private ulong _nextData;
    private readonly ulong _dataEnd;

    /// <summary>Lays out a queue of <paramref name="size"/> at <paramref name="baseAddress"/> with <paramref name="dataBytes"/> of buffer space after it.</summary>
    public TestVirtQueue(GuestMemory memory, ulong baseAddress, ushort size, ulong dataBytes = 1 << 20)
    {
        _memory = memory;
        var descriptors = baseAddress;
        var avail = descriptors + (16UL * size);
        var used = (avail + 6 + (2UL * size) + 4095) & ~4095UL;
        Layout = new VirtQueueLayout(size, descriptors, avail, used);
        _nextData = (used + 6 + (8UL * size) + 4095) & ~4095UL;
        _dataEnd = _nextData + dataBytes;
        memory.GetSpan(baseAddress, (int)(_dataEnd - baseAddress)).Clear();
    }

    /// <summary>Where the rings are, as a driver would program them.</summary>
    public VirtQueueLayout Layout { get; }

    /// <summary>The used ring's index as the device last published it.</summary>
    public ushort UsedIndex => _memory.Read<ushort>(Layout.UsedRing + 2);

    /// <summary>Guest memory the queue lives in.</summary>
    public GuestMemory Memory => _memory;

    /// <summary>Reserves <paramref name="length"/> bytes of buffer space (16-byte aligned) and returns its address.</summary>
    public ulong Allocate(int length)
    {
        var address = _nextData;
        _nextData = (_nextData + (ulong)length + 15) & ~15UL;
        if (_nextData > _dataEnd)
        {
            throw new InvalidOperationException("test queue data area exhausted");
        }
        return address;
    }

    /// <summary>Allocates a buffer holding <paramref name="bytes"/>.</summary>
    public ulong Allocate(ReadOnlySpan<byte> bytes)
    {
        var address = Allocate(bytes.Length);
        _memory.Write(address, bytes);
        return address;
    }

    /// <summary>Writes descriptor <paramref name="index"/> verbatim (for crafted, hostile chains).</summary>
    public void WriteDescriptor(ushort index, ulong address, uint length, ushort flags, ushort next)
    {
        var at = Layout.DescriptorTable + (16UL * index);
        _memory.Write(at, address);
        _memory.Write(at + 8, length);
        _memory.Write(at + 12, flags);
        _memory.Write(at + 14, next);
    }

    /// <summary>Links the buffers into a chain of fresh descriptors, makes it available, and returns its head.</summary>
    public ushort AddChain(params Buffer[] buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        var head = (ushort)(_nextDescriptor % Layout.Size);
        for (var i = 0; i < buffers.Length; i++)
        {
            var index = (ushort)((_nextDescriptor + i) % Layout.Size);
            var last = i == buffers.Length - 1;
            var flags = (ushort)((buffers[i].Writable ? FlagWrite : 0) | (last ? 0 : FlagNext));
            WriteDescriptor(index, buffers[i].Address, buffers[i].Length, flags, (ushort)((index + 1) % Layout.Size));
        }
        _nextDescriptor = (ushort)(_nextDescriptor + buffers.Length);
        Publish(head);
        return head;
    }

    /// <summary>Puts <paramref name="head"/> in the next available slot and bumps the available index.</summary>
    public void Publish(ushort head)
    {
        _memory.Write(Layout.AvailableRing + 4 + (2UL * (ulong)(_availIndex % Layout.Size)), head);
        _availIndex++;
        SetAvailableIndex(_availIndex);
    }

    /// <summary>Writes the available index directly (for absurd values).</summary>
    public void SetAvailableIndex(ushort index)
    {
        Thread.MemoryBarrier();
        _memory.Write(Layout.AvailableRing + 2, index);
    }

    /// <summary>Sets used_event (the driver's "interrupt me after this entry").</summary>
    public void SetUsedEvent(ushort index) => _memory.Write(Layout.AvailableRing + 4 + (2UL * Layout.Size), index);

    /// <summary>Reads avail_event (the device's "notify me when you add this entry").</summary>
    public ushort AvailEvent => _memory.Read<ushort>(Layout.UsedRing + 4 + (8UL * Layout.Size));

    /// <summary>Used ring entry <paramref name="slot"/>: the chain head and the bytes the device wrote.</summary>
    public (ushort Head, uint Written) UsedEntry(int slot)
    {
        var at = Layout.UsedRing + 4 + (8UL * (ulong)(slot % Layout.Size));
        return ((ushort)_memory.Read<uint>(at), _memory.Read<uint>(at + 4));
    }

    /// <summary>Waits until the device has published <paramref name="count"/> used entries in total.</summary>
    public bool WaitForUsed(int count, TimeSpan? timeout = null)
    {
        return SpinWait.SpinUntil(() => (ushort)(UsedIndex - count) < 0x8000, timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>A buffer of a chain.</summary>
    public readonly record struct Buffer(ulong Address, uint Length, bool Writable)
    {
        /// <summary>A device-readable ("out") buffer.</summary>
        public static Buffer Out(ulong address, uint length) => new(address, length, false);

        /// <summary>A device-writable ("in") buffer.</summary>
        public static Buffer In(ulong address, uint length) => new(address, length, true);
    }
}
