using System.Buffers.Binary;

namespace Concierge.Fuzz.Targets;

/// <summary>
/// Reads a fuzz input front to back as little-endian fields. Past the end every field reads as
/// zero and every byte run as empty, so a target never fails on a short input by itself.
/// </summary>
public ref struct FuzzInput
{
    private ReadOnlySpan<byte> _rest;

    /// <summary>Reads <paramref name="input"/>.</summary>
    public FuzzInput(ReadOnlySpan<byte> input) => _rest = input;

    /// <summary>True once every byte was consumed.</summary>
    public readonly bool IsEmpty => _rest.IsEmpty;

    /// <summary>The next byte.</summary>
    public byte Byte() => _rest.IsEmpty ? (byte)0 : Take(1)[0];

    /// <summary>The next little-endian 16-bit value.</summary>
    public ushort Le16() => _rest.Length < 2 ? Byte() : BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>The next little-endian 32-bit value.</summary>
    public uint Le32() => _rest.Length < 4 ? Le16() : BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>The next little-endian 64-bit value.</summary>
    public ulong Le64() => _rest.Length < 8 ? Le32() : BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>The next <paramref name="count"/> bytes, or fewer at the end.</summary>
    public ReadOnlySpan<byte> Bytes(int count) => Take(Math.Min(Math.Max(count, 0), _rest.Length));

    /// <summary>Everything not read yet.</summary>
    public ReadOnlySpan<byte> Rest() => Take(_rest.Length);

    private ReadOnlySpan<byte> Take(int count)
    {
        var taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}
