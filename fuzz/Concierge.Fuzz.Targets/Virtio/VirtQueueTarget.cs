using Concierge.Vmm.Devices.Virtio.Queue;
using Concierge.Vmm.Memory;

namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>
/// The split virtqueue as a device worker drives it: pop every chain the available ring
/// offers, copy out of its readable and into its writable buffers, return it, decide on an
/// interrupt, arm the notification. Guest memory (real anonymous RAM, no VM) holds the input.
/// </summary>
/// <remarks>
/// Input: size exponent (size = 2^(b % 9)), flags (bit 0 event index, bit 1 raw layout: then
/// three 64-bit ring addresses follow), a 16-bit copy offset, then the bytes of guest RAM from
/// address 0: descriptor table, available ring and data in the canonical layout
/// (<see cref="CanonicalLayout"/>). The only exception allowed out is the queue's own fault.
/// </remarks>
public sealed class VirtQueueTarget : IFuzzTarget
{
    private const ulong MemoryBytes = 1 << 20;
    private const int MaxCopyBytes = 64 << 10;
    private const byte FlagEventIndex = 1;
    private const byte FlagRawLayout = 2;
    private readonly byte[] _scratch = new byte[MaxCopyBytes];

    /// <inheritdoc />
    public string Name => "virtqueue";

    /// <summary>
    /// Where a driver of <paramref name="size"/> descriptors puts its rings when the target is
    /// not told otherwise: descriptor table at 0, available ring right after it, used ring after
    /// that on a 4-byte boundary (the alignments virtio 1.x requires, nothing more).
    /// </summary>
    public static VirtQueueLayout CanonicalLayout(ushort size)
    {
        var available = 16UL * size;
        var used = (available + 6 + (2UL * size) + 3) & ~3UL;
        return new VirtQueueLayout(size, 0, available, used);
    }

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        var reader = new FuzzInput(input);
        var size = (ushort)(1 << (reader.Byte() % 9));
        var flags = reader.Byte();
        var layout = (flags & FlagRawLayout) != 0
            ? new VirtQueueLayout(size, reader.Le64(), reader.Le64(), reader.Le64())
            : CanonicalLayout(size);
        var copyOffset = reader.Le16();
        using var memory = GuestMemory.Create(MemoryBytes);
        var image = reader.Bytes((int)MemoryBytes);
        memory.Write(0, image);
        try
        {
            Drive(VirtQueue.Create(memory, layout, (flags & FlagEventIndex) != 0), memory, copyOffset);
        }
        catch (VirtQueueFaultException)
        {
            // The queue refused the guest's rings or chains: the device would mark itself broken.
        }
    }

    /// <inheritdoc />
    public IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        yield return ("one-chain", Queue(16, 0, (0, 0x8000, 16, 1, 1), (1, 0x8100, 512, 2, 0)));
        yield return ("two-chains-event-index", Queue(16, FlagEventIndex, (0, 0x8000, 16, 1, 1), (1, 0x8100, 64, 2, 0), (2, 0x9000, 32, 0, 0)));
        yield return ("loop", Queue(8, 0, (0, 0x8000, 16, 1, 1), (1, 0x8100, 16, 1, 0)));
        yield return ("readable-after-writable", Queue(8, 0, (0, 0x8000, 16, 3, 1), (1, 0x8100, 16, 0, 0)));
        yield return ("indirect", Queue(8, 0, (0, 0x8000, 16, 4, 0)));
        yield return ("outside-ram", Queue(8, 0, (0, MemoryBytes - 8, 16, 0, 0)));
        yield return ("size-256", Queue(256, 0, (0, 0x10000, 4096, 2, 0)));
        yield return ("raw-layout-misaligned", new SeedWriter().Byte(4).Byte(FlagRawLayout).Le64(8).Le64(0x1001).Le64(0x2002).Le16(0).ToArray());
    }

    private void Drive(VirtQueue queue, GuestMemory memory, uint copyOffset)
    {
        // More pops than the ring holds would mean the queue let the guest run it in circles.
        for (var popped = 0; queue.TryPopChain(out var chain); popped++)
        {
            if (popped > queue.Size)
            {
                throw new FuzzFindingException($"popped {popped} chains from a queue of {queue.Size}");
            }
            var read = chain.CopyFromReadable(memory, copyOffset, _scratch.AsSpan(0, (int)Math.Min(chain.ReadableBytes, MaxCopyBytes)));
            var written = chain.CopyToWritable(memory, copyOffset, _scratch.AsSpan(0, (int)Math.Min(chain.WritableBytes, MaxCopyBytes)));
            if (read > chain.ReadableBytes || written > chain.WritableBytes)
            {
                throw new FuzzFindingException($"chain {chain.HeadIndex} copied {read}/{written} bytes, more than its {chain.ReadableBytes}/{chain.WritableBytes}");
            }
            queue.AddUsed(chain.HeadIndex, (uint)written);
        }
        queue.ShouldSignal();
        queue.ArmNotificationAndCheckPending();
    }

    /// <summary>
    /// A seed: a queue of <paramref name="size"/> in the canonical layout holding
    /// <paramref name="descriptors"/>; every descriptor no other one continues to is made available
    /// as a chain head (descriptor 0 when all of them are continued, as in a loop).
    /// </summary>
    private static byte[] Queue(ushort size, byte flags, params (ushort Index, ulong Address, uint Length, ushort Flags, ushort Next)[] descriptors)
    {
        var layout = CanonicalLayout(size);
        var image = new byte[layout.UsedRing + layout.UsedRingBytes + 2];
        foreach (var d in descriptors)
        {
            var at = (int)(layout.DescriptorTable + (16UL * d.Index));
            new SeedWriter().Le64(d.Address).Le32(d.Length).Le16(d.Flags).Le16(d.Next).ToArray().CopyTo(image, at);
        }
        var heads = descriptors.Where(d => !descriptors.Any(o => (o.Flags & 1) != 0 && o.Next == d.Index && o.Index != d.Index)).Select(d => d.Index).ToList();
        if (heads.Count == 0)
        {
            heads.Add(0);
        }
        var avail = (int)layout.AvailableRing;
        new SeedWriter().Le16(0).Le16((ushort)heads.Count).ToArray().CopyTo(image, avail);
        for (var i = 0; i < heads.Count; i++)
        {
            new SeedWriter().Le16(heads[i]).ToArray().CopyTo(image, avail + 4 + (2 * i));
        }
        return new SeedWriter().Byte((byte)System.Numerics.BitOperations.Log2(size)).Byte(flags).Le16(0).Bytes(image).ToArray();
    }
}
