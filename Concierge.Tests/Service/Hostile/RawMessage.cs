using System.Buffers.Binary;
using System.Text;

namespace Concierge.Tests.Service.Hostile;

/// <summary>
/// Little-endian D-Bus marshalling by hand, for messages no library would write. Alignment is
/// relative to the start of what is written, which is right for a body (it starts 8-aligned in
/// the message) and for a header.
/// </summary>
public sealed class RawBody
{
    private readonly MemoryStream _bytes = new();

    public int Length => (int)_bytes.Length;

    public byte[] ToArray() => _bytes.ToArray();

    /// <summary>Zero bytes up to a multiple of <paramref name="alignment"/>.</summary>
    public RawBody Pad(int alignment)
    {
        while (_bytes.Length % alignment != 0)
        {
            _bytes.WriteByte(0);
        }
        return this;
    }

    /// <summary>Bytes as they are, no alignment: for hostile bodies.</summary>
    public RawBody Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public RawBody Byte(byte value)
    {
        _bytes.WriteByte(value);
        return this;
    }

    public RawBody U16(ushort value)
    {
        Pad(2);
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        return Raw(buffer);
    }

    public RawBody U32(uint value)
    {
        Pad(4);
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        return Raw(buffer);
    }

    public RawBody U64(ulong value)
    {
        Pad(8);
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        return Raw(buffer);
    }

    /// <summary>An <c>h</c>: an index into the message's fds, nothing more on the wire.</summary>
    public RawBody UnixFd(uint index) => U32(index);

    /// <summary>An <c>s</c> or <c>o</c> from raw bytes (so invalid UTF-8 can be written).</summary>
    public RawBody Utf8(ReadOnlySpan<byte> utf8)
    {
        U32((uint)utf8.Length);
        Raw(utf8);
        return Byte(0);
    }

    public RawBody Utf8(string value) => Utf8(Encoding.UTF8.GetBytes(value));

    public RawBody Signature(string value)
    {
        Byte((byte)value.Length);
        Raw(Encoding.ASCII.GetBytes(value));
        return Byte(0);
    }

    /// <summary>An <c>ay</c>.</summary>
    public RawBody Bytes(ReadOnlySpan<byte> value)
    {
        U32((uint)value.Length);
        return Raw(value);
    }

    /// <summary>
    /// An array: the length, padding to the element alignment (not counted in the length), then
    /// the elements <paramref name="elements"/> writes.
    /// </summary>
    public RawBody Array(int elementAlignment, Action<RawBody> elements)
    {
        U32(0);
        var lengthAt = Length - 4;
        Pad(elementAlignment);
        var start = Length;
        elements(this);
        var length = (uint)(Length - start);
        var end = _bytes.Position;
        _bytes.Position = lengthAt;
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, length);
        _bytes.Write(buffer);
        _bytes.Position = end;
        return this;
    }

    /// <summary>A struct or dict entry: 8-aligned, then its fields.</summary>
    public RawBody Struct(Action<RawBody> fields)
    {
        Pad(8);
        fields(this);
        return this;
    }

    /// <summary>A <c>v</c>: its signature, then the value <paramref name="value"/> writes.</summary>
    public RawBody Variant(string signature, Action<RawBody> value)
    {
        Signature(signature);
        value(this);
        return this;
    }

    /// <summary>An <c>a{sv}</c> of (key, value signature, value writer).</summary>
    public RawBody Options(params (string Key, string Signature, Action<RawBody> Value)[] entries) =>
        Array(8, array =>
        {
            foreach (var (key, signature, value) in entries)
            {
                array.Struct(entry => entry.Utf8(key).Variant(signature, value));
            }
        });
}

/// <summary>
/// One method call, encoded with a caller-chosen body and signature. <see cref="UnixFds"/> sets the
/// UNIX_FDS header field (null: absent) independently of how many fds really travel with it.
/// </summary>
public sealed record RawMessage(string Destination, string Path, string? Interface, string Member, string Signature, byte[] Body)
{
    public const byte MethodCallType = 1;
    public const byte NoReplyExpected = 0x1;

    public uint? UnixFds { get; init; }

    public byte Flags { get; init; }

    /// <summary>The body as <paramref name="write"/> marshals it.</summary>
    public static RawMessage Call(string destination, string path, string? @interface, string member, string signature, Action<RawBody> write)
    {
        var body = new RawBody();
        write(body);
        return new RawMessage(destination, path, @interface, member, signature, body.ToArray());
    }

    /// <summary>The wire bytes with <paramref name="serial"/>.</summary>
    public byte[] Encode(uint serial)
    {
        var header = new RawBody()
            .Byte((byte)'l').Byte(MethodCallType).Byte(Flags).Byte(1)
            .U32((uint)Body.Length)
            .U32(serial)
            .Array(8, fields =>
            {
                Field(fields, 1, "o", f => f.Utf8(Path));
                if (Interface is not null)
                {
                    Field(fields, 2, "s", f => f.Utf8(Interface));
                }
                Field(fields, 3, "s", f => f.Utf8(Member));
                Field(fields, 6, "s", f => f.Utf8(Destination));
                if (Signature.Length > 0)
                {
                    Field(fields, 8, "g", f => f.Signature(Signature));
                }
                if (UnixFds is { } count)
                {
                    Field(fields, 9, "u", f => f.U32(count));
                }
            })
            .Pad(8);
        var message = new byte[header.Length + Body.Length];
        header.ToArray().CopyTo(message, 0);
        Body.CopyTo(message, header.Length);
        return message;
    }

    private static void Field(RawBody fields, byte code, string signature, Action<RawBody> value) =>
        fields.Struct(field => field.Byte(code).Variant(signature, value));
}
