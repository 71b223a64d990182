using System.Buffers.Binary;

namespace Concierge.Fuzz.Targets;

/// <summary>Builds a seed input field by field, in the layout <see cref="FuzzInput"/> reads.</summary>
public sealed class SeedWriter
{
    private readonly List<byte> _bytes = [];

    /// <summary>Appends a byte.</summary>
    public SeedWriter Byte(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    /// <summary>Appends a 16-bit value.</summary>
    public SeedWriter Le16(ushort value) => Field(stackalloc byte[2], value, BinaryPrimitives.WriteUInt16LittleEndian);

    /// <summary>Appends a 32-bit value.</summary>
    public SeedWriter Le32(uint value) => Field(stackalloc byte[4], value, BinaryPrimitives.WriteUInt32LittleEndian);

    /// <summary>Appends a 64-bit value.</summary>
    public SeedWriter Le64(ulong value) => Field(stackalloc byte[8], value, BinaryPrimitives.WriteUInt64LittleEndian);

    /// <summary>Appends bytes verbatim.</summary>
    public SeedWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _bytes.Add(b);
        }
        return this;
    }

    /// <summary>The input so far.</summary>
    public byte[] ToArray() => [.. _bytes];

    private delegate void Encode<T>(Span<byte> destination, T value);

    private SeedWriter Field<T>(Span<byte> scratch, T value, Encode<T> encode)
    {
        encode(scratch, value);
        return Bytes(scratch);
    }
}
