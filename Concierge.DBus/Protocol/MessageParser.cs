using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Concierge.DBus.Protocol;

/// <summary>
/// Turns bytes from the stream into validated messages. The length is decided from the first 16
/// bytes and checked against the 128 MiB limit before anything else, so a peer cannot make us wait
/// for or allocate more than that; header fields, names and the whole body are then validated.
/// </summary>
internal static class MessageParser
{
    /// <summary>Bytes needed to learn a message's total length.</summary>
    public const int FixedHeaderLength = 16;

    /// <summary>
    /// Total length of the message starting at <paramref name="data"/> (which holds at least
    /// <see cref="FixedHeaderLength"/> bytes), after checking the fixed header.
    /// </summary>
    public static int GetMessageLength(ReadOnlySpan<byte> data)
    {
        var bigEndian = data[0] switch
        {
            (byte)'l' => false,
            (byte)'B' => true,
            _ => throw new DBusProtocolException($"invalid endianness byte 0x{data[0]:x2}"),
        };
        if (data[3] != 1)
        {
            throw new DBusProtocolException($"unsupported protocol version {data[3]}");
        }
        var bodyLength = Read32(data[4..], bigEndian);
        var fieldsLength = Read32(data[12..], bigEndian);
        if (fieldsLength > ProtocolLimits.MaxArrayLength)
        {
            throw new DBusProtocolException("header field array exceeds 64 MiB");
        }
        var total = FixedHeaderLength + (((long)fieldsLength + 7) & ~7L) + bodyLength;
        if (total > ProtocolLimits.MaxMessageLength)
        {
            throw new DBusProtocolException($"message length {total} exceeds 128 MiB");
        }
        return (int)total;
    }

    /// <summary>
    /// Parses one complete message (<paramref name="data"/> is exactly its bytes), claiming its fds
    /// from <paramref name="takeFds"/>.
    /// </summary>
    public static Message Parse(ReadOnlySpan<byte> data, Func<int, SafeFileHandle[]> takeFds)
    {
        var total = GetMessageLength(data);
        if (total != data.Length)
        {
            throw new DBusProtocolException("message length does not match its header");
        }
        var header = new MessageHeader
        {
            BigEndian = data[0] == (byte)'B',
            Type = (MessageType)data[1],
            Flags = (MessageFlags)data[2],
        };
        var bodyLength = (int)Read32(data[4..], header.BigEndian);
        header.Serial = Read32(data[8..], header.BigEndian);
        if (header.Serial == 0)
        {
            throw new DBusProtocolException("serial 0 is invalid");
        }
        var headerReader = new MessageReader(data[..(total - bodyLength)], header.BigEndian);
        // Skip the fixed part already decoded: endianness/type/flags/version, body length, serial.
        headerReader.ReadUInt32();
        headerReader.ReadUInt32();
        headerReader.ReadUInt32();
        HeaderFieldReader.ReadFields(ref headerReader, header);
        headerReader.Align(8);
        if (!headerReader.IsAtEnd)
        {
            throw new DBusProtocolException("header padding is longer than needed");
        }
        HeaderFieldReader.CheckRequiredFields(header);
        var body = data[(total - bodyLength)..];
        var validator = new MessageReader(body, header.BigEndian, null, header.UnixFds);
        validator.Validate(header.Signature);
        if (!validator.IsAtEnd)
        {
            throw new DBusProtocolException("body is longer than its signature says");
        }
        var fds = takeFds((int)header.UnixFds);
        return new Message(header, body.ToArray(), fds);
    }

    private static uint Read32(ReadOnlySpan<byte> data, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(data) : BinaryPrimitives.ReadUInt32LittleEndian(data);
}
