using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Devices.Virtio.Queue;

/// <summary>
/// A descriptor chain taken from a virtqueue and validated whole before any I/O: every buffer
/// lies inside guest RAM, device-readable buffers come before device-writable ones, and the
/// totals are bounded. The descriptors were copied once; the guest can no longer change them.
/// The bytes the buffers hold are still live guest memory.
/// </summary>
public sealed class DescriptorChain
{
    internal DescriptorChain(ushort headIndex, ChainSegment[] readable, ChainSegment[] writable)
    {
        HeadIndex = headIndex;
        Readable = readable;
        Writable = writable;
        ReadableBytes = Sum(readable);
        WritableBytes = Sum(writable);
    }

    /// <summary>Descriptor index of the chain's head: what goes back into the used ring.</summary>
    public ushort HeadIndex { get; }

    /// <summary>Buffers the device reads (the driver's request), in chain order.</summary>
    public IReadOnlyList<ChainSegment> Readable { get; }

    /// <summary>Buffers the device writes (its response), in chain order.</summary>
    public IReadOnlyList<ChainSegment> Writable { get; }

    /// <summary>Total bytes of <see cref="Readable"/>.</summary>
    public uint ReadableBytes { get; }

    /// <summary>Total bytes of <see cref="Writable"/>.</summary>
    public uint WritableBytes { get; }

    /// <summary>The pieces of <paramref name="segments"/> covering bytes [<paramref name="offset"/>, +<paramref name="length"/>) of their concatenation.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range runs past the segments' end.</exception>
    public static List<ChainSegment> Slice(IReadOnlyList<ChainSegment> segments, uint offset, uint length)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var pieces = new List<ChainSegment>(segments.Count);
        var skip = offset;
        var remaining = length;
        foreach (var segment in segments)
        {
            if (remaining == 0)
            {
                break;
            }
            if (skip >= segment.Length)
            {
                skip -= segment.Length;
                continue;
            }
            var take = Math.Min(segment.Length - skip, remaining);
            pieces.Add(new ChainSegment(segment.Address + skip, take));
            remaining -= take;
            skip = 0;
        }
        if (remaining != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"range {offset}+{length} runs past the chain's buffers");
        }
        return pieces;
    }

    /// <summary>Copies readable bytes starting at <paramref name="offset"/> into <paramref name="destination"/>; returns how many were available.</summary>
    public int CopyFromReadable(GuestMemory memory, uint offset, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var done = 0;
        foreach (var piece in Pieces(Readable, ReadableBytes, offset, destination.Length))
        {
            memory.Read(piece.Address, destination.Slice(done, (int)piece.Length));
            done += (int)piece.Length;
        }
        return done;
    }

    /// <summary>Copies <paramref name="source"/> into the writable buffers starting at <paramref name="offset"/>; returns how many bytes fitted.</summary>
    public int CopyToWritable(GuestMemory memory, uint offset, ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var done = 0;
        foreach (var piece in Pieces(Writable, WritableBytes, offset, source.Length))
        {
            memory.Write(piece.Address, source.Slice(done, (int)piece.Length));
            done += (int)piece.Length;
        }
        return done;
    }

    private static List<ChainSegment> Pieces(IReadOnlyList<ChainSegment> segments, uint total, uint offset, int wanted) =>
        Slice(segments, offset, Math.Min((uint)wanted, total - Math.Min(offset, total)));

    private static uint Sum(ChainSegment[] segments)
    {
        // Cannot overflow: VirtQueue bounds the total by VirtioLimits.MaxChainBytes while walking.
        uint total = 0;
        foreach (var segment in segments)
        {
            total += segment.Length;
        }
        return total;
    }
}
