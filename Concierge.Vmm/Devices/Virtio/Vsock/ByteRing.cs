namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>A fixed-capacity FIFO of bytes (not thread-safe: the owner locks).</summary>
internal sealed class ByteRing
{
    private readonly byte[] _buffer;
    private int _start;

    public ByteRing(int capacity) => _buffer = new byte[capacity];

    public int Count { get; private set; }

    public int Free => _buffer.Length - Count;

    /// <summary>Appends as much of <paramref name="source"/> as fits; returns how much.</summary>
    public int Write(ReadOnlySpan<byte> source)
    {
        var total = Math.Min(source.Length, Free);
        var end = (_start + Count) % _buffer.Length;
        var first = Math.Min(total, _buffer.Length - end);
        source[..first].CopyTo(_buffer.AsSpan(end));
        source[first..total].CopyTo(_buffer);
        Count += total;
        return total;
    }

    /// <summary>Removes up to <paramref name="destination"/>.Length bytes into it; returns how many.</summary>
    public int Read(Span<byte> destination)
    {
        var total = Math.Min(destination.Length, Count);
        var first = Math.Min(total, _buffer.Length - _start);
        _buffer.AsSpan(_start, first).CopyTo(destination);
        _buffer.AsSpan(0, total - first).CopyTo(destination[first..]);
        _start = (_start + total) % _buffer.Length;
        Count -= total;
        return total;
    }
}
