using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Concierge.DBus.Protocol;

/// <summary>
/// Marshals values in little-endian D-Bus format. Used for message bodies (and internally for
/// headers): a body starts 8-aligned in the message, so aligning from the start of this buffer
/// equals aligning from the start of the message. The caller states the body signature separately.
/// fds written with <see cref="WriteUnixFd"/> stay owned by the caller and must stay open until
/// the message has been sent.
/// </summary>
public sealed partial class MessageWriter
{
    private byte[] _buffer;
    private int _length;
    private List<SafeHandle>? _unixFds;

    /// <summary>Creates an empty writer.</summary>
    public MessageWriter(int initialCapacity = 256)
    {
        _buffer = new byte[Math.Max(16, initialCapacity)];
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The fds attached so far, in index order.</summary>
    public IReadOnlyList<SafeHandle> UnixFds => (IReadOnlyList<SafeHandle>?)_unixFds ?? [];

    /// <summary>Writes a BYTE.</summary>
    public void WriteByte(byte value) => Reserve(1)[0] = value;

    /// <summary>Writes a BOOLEAN (uint32 0 or 1).</summary>
    public void WriteBoolean(bool value) => WriteUInt32(value ? 1u : 0u);

    /// <summary>Writes an INT16.</summary>
    public void WriteInt16(short value)
    {
        Pad(2);
        BinaryPrimitives.WriteInt16LittleEndian(Reserve(2), value);
    }

    /// <summary>Writes a UINT16.</summary>
    public void WriteUInt16(ushort value)
    {
        Pad(2);
        BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);
    }

    /// <summary>Writes an INT32.</summary>
    public void WriteInt32(int value)
    {
        Pad(4);
        BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);
    }

    /// <summary>Writes a UINT32.</summary>
    public void WriteUInt32(uint value)
    {
        Pad(4);
        BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);
    }

    /// <summary>Writes an INT64.</summary>
    public void WriteInt64(long value)
    {
        Pad(8);
        BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);
    }

    /// <summary>Writes a UINT64.</summary>
    public void WriteUInt64(ulong value)
    {
        Pad(8);
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
    }

    /// <summary>Writes a DOUBLE.</summary>
    public void WriteDouble(double value)
    {
        Pad(8);
        BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);
    }

    /// <summary>Writes a STRING; it must be valid Unicode without NUL characters.</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new DBusProtocolException("D-Bus strings cannot contain NUL");
        }
        int byteCount;
        try
        {
            byteCount = StrictUtf8.Encoding.GetByteCount(value);
        }
        catch (ArgumentException ex)
        {
            throw new DBusProtocolException("string is not valid Unicode", ex);
        }
        WriteUInt32((uint)byteCount);
        var span = Reserve(byteCount + 1);
        StrictUtf8.Encoding.GetBytes(value, span);
        span[byteCount] = 0;
    }

    /// <summary>Writes an OBJECT_PATH.</summary>
    public void WriteObjectPath(ObjectPath value) => WriteString(value.Value ?? "/");

    /// <summary>Writes an OBJECT_PATH given as text, validating it.</summary>
    public void WriteObjectPath(string value) => WriteObjectPath(new ObjectPath(value));

    /// <summary>Writes a SIGNATURE, validating it.</summary>
    public void WriteSignature(string value)
    {
        SignatureValidator.Require(value, single: false);
        var span = Reserve(value.Length + 2);
        span[0] = (byte)value.Length;
        for (var i = 0; i < value.Length; i++)
        {
            span[i + 1] = (byte)value[i];
        }
        span[^1] = 0;
    }

    /// <summary>
    /// Attaches <paramref name="handle"/> to the message and writes its index (a UNIX_FD value).
    /// The handle stays owned by the caller.
    /// </summary>
    public void WriteUnixFd(SafeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        _unixFds ??= [];
        if (_unixFds.Count >= ProtocolLimits.MaxUnixFdsPerMessage)
        {
            throw new DBusProtocolException($"more than {ProtocolLimits.MaxUnixFdsPerMessage} fds in one message");
        }
        _unixFds.Add(handle);
        WriteUInt32((uint)(_unixFds.Count - 1));
    }

    /// <summary>Starts an array whose elements have type code <paramref name="elementTypeCode"/> (first char of the element signature).</summary>
    public ArrayStart WriteArrayStart(char elementTypeCode)
    {
        Pad(4);
        var lengthOffset = _length;
        Reserve(4);
        Pad(TypeCodes.AlignmentOf(elementTypeCode));
        return new ArrayStart(lengthOffset, _length);
    }

    /// <summary>Ends an array, patching its byte length.</summary>
    public void WriteArrayEnd(ArrayStart start)
    {
        var length = _length - start.DataOffset;
        if (length > ProtocolLimits.MaxArrayLength)
        {
            throw new DBusProtocolException("array longer than 64 MiB");
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(start.LengthOffset, 4), (uint)length);
    }

    /// <summary>Starts a struct or dict entry (aligns to 8).</summary>
    public void WriteStructStart() => Pad(8);

    /// <summary>Writes a VARIANT: its signature then its value.</summary>
    public void WriteVariant(Variant value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteSignature(value.Signature);
        WriteValue(value.Signature, value.Value);
    }

    /// <summary>Writes an <c>as</c>.</summary>
    public void WriteStringArray(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var start = WriteArrayStart('s');
        foreach (var value in values)
        {
            WriteString(value);
        }
        WriteArrayEnd(start);
    }

    /// <summary>Writes an <c>ay</c>.</summary>
    public void WriteByteArray(ReadOnlySpan<byte> values)
    {
        var start = WriteArrayStart('y');
        values.CopyTo(Reserve(values.Length));
        WriteArrayEnd(start);
    }

    /// <summary>Writes an <c>a{sv}</c> property map.</summary>
    public void WritePropertyMap(IEnumerable<KeyValuePair<string, Variant>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var start = WriteArrayStart('{');
        foreach (var (key, value) in values)
        {
            WriteStructStart();
            WriteString(key);
            WriteVariant(value);
        }
        WriteArrayEnd(start);
    }

    /// <summary>Appends raw bytes (used to place an already marshalled body after a header).</summary>
    internal void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Overwrites a little-endian uint32 written earlier (header body length).</summary>
    internal void PatchUInt32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(offset, 4), value);

    /// <summary>The backing buffer; valid up to <see cref="Length"/>.</summary>
    internal byte[] Buffer => _buffer;

    /// <summary>Adds zero bytes up to the next multiple of <paramref name="alignment"/>.</summary>
    internal void Pad(int alignment)
    {
        var padding = (-_length) & (alignment - 1);
        if (padding != 0)
        {
            Reserve(padding).Clear();
        }
    }

    private Span<byte> Reserve(int count)
    {
        var needed = (long)_length + count;
        if (needed > ProtocolLimits.MaxMessageLength)
        {
            throw new DBusProtocolException("message longer than 128 MiB");
        }
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(ProtocolLimits.MaxMessageLength, Math.Max(needed, _buffer.Length * 2L)));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
