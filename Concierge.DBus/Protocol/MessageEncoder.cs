namespace Concierge.DBus.Protocol;

/// <summary>Builds the wire form of an outgoing message: header fields, padding, then the body.</summary>
internal static class MessageEncoder
{
    /// <summary>Header, 8-byte padding and body in one writer; fds are those of <paramref name="body"/>.</summary>
    public static MessageWriter Encode(MessageHeader header, MessageWriter? body)
    {
        var bodyBytes = body is null ? [] : body.WrittenSpan;
        var fdCount = body?.UnixFds.Count ?? 0;
        var writer = new MessageWriter(64 + bodyBytes.Length + 128);
        writer.WriteByte((byte)'l');
        writer.WriteByte((byte)header.Type);
        writer.WriteByte((byte)header.Flags);
        writer.WriteByte(1);
        writer.WriteUInt32((uint)bodyBytes.Length);
        writer.WriteUInt32(header.Serial);
        var fields = writer.WriteArrayStart('(');
        WriteField(writer, HeaderFieldCode.Path, "o", header.Path);
        WriteField(writer, HeaderFieldCode.Interface, "s", header.Interface);
        WriteField(writer, HeaderFieldCode.Member, "s", header.Member);
        WriteField(writer, HeaderFieldCode.ErrorName, "s", header.ErrorName);
        if (header.ReplySerial != 0)
        {
            WriteFieldHead(writer, HeaderFieldCode.ReplySerial, "u");
            writer.WriteUInt32(header.ReplySerial);
        }
        WriteField(writer, HeaderFieldCode.Destination, "s", header.Destination);
        WriteField(writer, HeaderFieldCode.Sender, "s", header.Sender);
        if (header.Signature.Length > 0)
        {
            WriteFieldHead(writer, HeaderFieldCode.Signature, "g");
            writer.WriteSignature(header.Signature);
        }
        if (fdCount > 0)
        {
            WriteFieldHead(writer, HeaderFieldCode.UnixFds, "u");
            writer.WriteUInt32((uint)fdCount);
        }
        writer.WriteArrayEnd(fields);
        writer.Pad(8);
        writer.WriteRaw(bodyBytes);
        return writer;
    }

    private static void WriteField(MessageWriter writer, HeaderFieldCode code, string type, string? value)
    {
        if (value is null)
        {
            return;
        }
        WriteFieldHead(writer, code, type);
        if (type == "o")
        {
            writer.WriteObjectPath(value);
        }
        else
        {
            writer.WriteString(value);
        }
    }

    private static void WriteFieldHead(MessageWriter writer, HeaderFieldCode code, string type)
    {
        writer.WriteStructStart();
        writer.WriteByte((byte)code);
        writer.WriteSignature(type);
    }
}
