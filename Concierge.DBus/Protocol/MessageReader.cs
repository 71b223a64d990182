using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Concierge.DBus.Protocol;

/// <summary>
/// Reads D-Bus values in either endianness from a body (or header), checking alignment padding is
/// zero, lengths stay inside the data, strings are valid UTF-8 without NUL, and booleans are 0/1.
/// Every violation throws <see cref="DBusProtocolException"/>; nothing reads past the data.
/// </summary>
public ref partial struct MessageReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _bigEndian;
    private readonly Message? _owner;
    private readonly uint _unixFdCount;
    private int _position;

    /// <summary>Creates a reader over <paramref name="data"/>, which starts 8-aligned in its message.</summary>
    public MessageReader(ReadOnlySpan<byte> data, bool bigEndian)
        : this(data, bigEndian, null, 0)
    {
    }

    internal MessageReader(ReadOnlySpan<byte> data, bool bigEndian, Message? owner, uint unixFdCount)
    {
        _data = data;
        _bigEndian = bigEndian;
        _owner = owner;
        _unixFdCount = unixFdCount;
        _position = 0;
    }

    /// <summary>Offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool IsAtEnd => _position >= _data.Length;

    /// <summary>Reads a BYTE.</summary>
    public byte ReadByte() => Take(1)[0];

    /// <summary>Reads a BOOLEAN; values other than 0 and 1 are a protocol error.</summary>
    public bool ReadBoolean() => ReadUInt32() switch
    {
        0 => false,
        1 => true,
        var other => throw new DBusProtocolException($"boolean value {other} is neither 0 nor 1"),
    };

    /// <summary>Reads an INT16.</summary>
    public short ReadInt16() => (short)ReadUInt16();

    /// <summary>Reads a UINT16.</summary>
    public ushort ReadUInt16()
    {
        Align(2);
        var span = Take(2);
        return _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
    }

    /// <summary>Reads an INT32.</summary>
    public int ReadInt32() => (int)ReadUInt32();

    /// <summary>Reads a UINT32.</summary>
    public uint ReadUInt32()
    {
        Align(4);
        var span = Take(4);
        return _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    /// <summary>Reads an INT64.</summary>
    public long ReadInt64() => (long)ReadUInt64();

    /// <summary>Reads a UINT64.</summary>
    public ulong ReadUInt64()
    {
        Align(8);
        var span = Take(8);
        return _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(span) : BinaryPrimitives.ReadUInt64LittleEndian(span);
    }

    /// <summary>Reads a DOUBLE.</summary>
    public double ReadDouble() => BitConverter.UInt64BitsToDouble(ReadUInt64());

    /// <summary>Reads a STRING.</summary>
    public string ReadString()
    {
        var length = ReadUInt32();
        return DecodeText(length);
    }

    /// <summary>Reads an OBJECT_PATH, validating its syntax.</summary>
    public ObjectPath ReadObjectPath()
    {
        var text = ReadString();
        if (!NameValidator.IsValidObjectPath(text))
        {
            throw new DBusProtocolException($"invalid object path '{text}'");
        }
        return new ObjectPath(text);
    }

    /// <summary>Reads a SIGNATURE, validating it.</summary>
    public string ReadSignature()
    {
        var length = ReadByte();
        var text = DecodeText(length);
        SignatureValidator.Require(text, single: false);
        return text;
    }

    /// <summary>Reads a UNIX_FD index, checking it against the number of fds the message carries.</summary>
    public UnixFdIndex ReadUnixFdIndex()
    {
        var index = ReadUInt32();
        if (index >= _unixFdCount)
        {
            throw new DBusProtocolException($"fd index {index} but the message carries {_unixFdCount} fds");
        }
        return new UnixFdIndex(index);
    }

    /// <summary>Reads a UNIX_FD and takes ownership of the fd (each fd can be taken once).</summary>
    public SafeFileHandle ReadUnixFd()
    {
        var index = ReadUnixFdIndex();
        return _owner is null
            ? throw new InvalidOperationException("this reader is not attached to a received message")
            : _owner.TakeUnixFd((int)index.Index);
    }

    /// <summary>
    /// Starts an array of elements with type code <paramref name="elementTypeCode"/>; returns the
    /// offset where it ends, for <see cref="HasNext"/>.
    /// </summary>
    public int ReadArrayStart(char elementTypeCode)
    {
        var length = ReadUInt32();
        if (length > ProtocolLimits.MaxArrayLength)
        {
            throw new DBusProtocolException($"array length {length} exceeds 64 MiB");
        }
        Align(TypeCodes.AlignmentOf(elementTypeCode));
        if (length > (uint)(_data.Length - _position))
        {
            throw new DBusProtocolException("array extends past the end of the message");
        }
        return _position + (int)length;
    }

    /// <summary>True while elements remain before <paramref name="arrayEnd"/>; throws if an element overran it.</summary>
    public readonly bool HasNext(int arrayEnd) => _position < arrayEnd
        || (_position == arrayEnd ? false : throw new DBusProtocolException("array element overruns the array length"));

    /// <summary>Starts a struct or dict entry (aligns to 8).</summary>
    public void ReadStructStart() => Align(8);

    /// <summary>Reads an <c>as</c>.</summary>
    public string[] ReadStringArray()
    {
        var end = ReadArrayStart('s');
        var list = new List<string>();
        while (HasNext(end))
        {
            list.Add(ReadString());
        }
        return [.. list];
    }

    /// <summary>Reads an <c>ay</c>.</summary>
    public byte[] ReadByteArray()
    {
        var end = ReadArrayStart('y');
        var bytes = _data[_position..end].ToArray();
        _position = end;
        return bytes;
    }

    /// <summary>Reads an <c>a{sv}</c> property map; a repeated key keeps the last value.</summary>
    public Dictionary<string, Variant> ReadPropertyMap()
    {
        var end = ReadArrayStart('{');
        var map = new Dictionary<string, Variant>(StringComparer.Ordinal);
        while (HasNext(end))
        {
            ReadStructStart();
            var key = ReadString();
            map[key] = ReadVariant();
        }
        return map;
    }

    /// <summary>Skips to <paramref name="alignment"/>, requiring the padding to be zero.</summary>
    internal void Align(int alignment)
    {
        var padding = (-_position) & (alignment - 1);
        if (padding == 0)
        {
            return;
        }
        foreach (var b in Take(padding))
        {
            if (b != 0)
            {
                throw new DBusProtocolException("non-zero alignment padding");
            }
        }
    }

    private string DecodeText(uint length)
    {
        // In long arithmetic: a length of 0xFFFFFFFF must not wrap around to a tiny read.
        if (length + 1L > _data.Length - _position)
        {
            throw new DBusProtocolException("string extends past the end of the message");
        }
        var span = Take((int)length + 1);
        if (span[^1] != 0)
        {
            throw new DBusProtocolException("string is not NUL-terminated");
        }
        var text = span[..^1];
        if (text.Contains((byte)0))
        {
            throw new DBusProtocolException("string contains NUL");
        }
        try
        {
            return StrictUtf8.Encoding.GetString(text);
        }
        catch (ArgumentException ex)
        {
            throw new DBusProtocolException("string is not valid UTF-8", ex);
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new DBusProtocolException("value extends past the end of the message");
        }
        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
