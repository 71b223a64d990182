namespace Concierge.DBus.Protocol;

/// <summary>Reads the <c>a(yv)</c> header field array and checks the fields each message type requires.</summary>
internal static class HeaderFieldReader
{
    public static void ReadFields(ref MessageReader reader, MessageHeader header)
    {
        var end = reader.ReadArrayStart('(');
        var seen = 0u;
        while (reader.HasNext(end))
        {
            reader.ReadStructStart();
            var code = (HeaderFieldCode)reader.ReadByte();
            var signature = reader.ReadSignature();
            if (code is HeaderFieldCode.Invalid)
            {
                throw new DBusProtocolException("header field code 0 is invalid");
            }
            if (code > HeaderFieldCode.UnixFds)
            {
                // Unknown fields are an extension point: validate the value and ignore it.
                reader.ReadValue(signature);
                continue;
            }
            var bit = 1u << (int)code;
            if ((seen & bit) != 0)
            {
                throw new DBusProtocolException($"header field {code} appears twice");
            }
            seen |= bit;
            ReadKnownField(ref reader, header, code, signature);
        }
    }

    public static void CheckRequiredFields(MessageHeader header)
    {
        switch (header.Type)
        {
            case MessageType.MethodCall:
                Require(header.Path is not null && header.Member is not null, "method call needs PATH and MEMBER");
                break;
            case MessageType.Signal:
                Require(header.Path is not null && header.Interface is not null && header.Member is not null, "signal needs PATH, INTERFACE and MEMBER");
                break;
            case MessageType.MethodReturn:
                Require(header.ReplySerial != 0, "method return needs REPLY_SERIAL");
                break;
            case MessageType.Error:
                Require(header.ReplySerial != 0 && header.ErrorName is not null, "error needs REPLY_SERIAL and ERROR_NAME");
                break;
            case MessageType.Invalid:
                throw new DBusProtocolException("message type 0 is invalid");
            default:
                // Unknown types must be accepted (and later ignored).
                break;
        }
        if (header.UnixFds > ProtocolLimits.MaxUnixFdsPerMessage)
        {
            throw new DBusProtocolException($"message claims {header.UnixFds} fds, more than {ProtocolLimits.MaxUnixFdsPerMessage}");
        }
    }

    private static void ReadKnownField(ref MessageReader reader, MessageHeader header, HeaderFieldCode code, string signature)
    {
        var expected = code switch
        {
            HeaderFieldCode.Path => "o",
            HeaderFieldCode.ReplySerial or HeaderFieldCode.UnixFds => "u",
            HeaderFieldCode.Signature => "g",
            _ => "s",
        };
        if (signature != expected)
        {
            throw new DBusProtocolException($"header field {code} has type '{signature}', expected '{expected}'");
        }
        switch (code)
        {
            case HeaderFieldCode.Path:
                header.Path = reader.ReadObjectPath().Value;
                break;
            case HeaderFieldCode.Interface:
                header.Interface = Checked(reader.ReadString(), NameValidator.IsValidInterfaceName, code);
                break;
            case HeaderFieldCode.Member:
                header.Member = Checked(reader.ReadString(), NameValidator.IsValidMemberName, code);
                break;
            case HeaderFieldCode.ErrorName:
                header.ErrorName = Checked(reader.ReadString(), NameValidator.IsValidErrorName, code);
                break;
            case HeaderFieldCode.ReplySerial:
                header.ReplySerial = reader.ReadUInt32();
                Require(header.ReplySerial != 0, "REPLY_SERIAL 0 is invalid");
                break;
            case HeaderFieldCode.Destination:
                header.Destination = Checked(reader.ReadString(), NameValidator.IsValidBusName, code);
                break;
            case HeaderFieldCode.Sender:
                header.Sender = Checked(reader.ReadString(), NameValidator.IsValidBusName, code);
                break;
            case HeaderFieldCode.Signature:
                header.Signature = reader.ReadSignature();
                break;
            case HeaderFieldCode.UnixFds:
                header.UnixFds = reader.ReadUInt32();
                break;
            default:
                throw new DBusProtocolException($"unexpected header field {code}");
        }
    }

    private static string Checked(string value, NameCheck isValid, HeaderFieldCode code) =>
        isValid(value) ? value : throw new DBusProtocolException($"invalid {code} '{value}'");

    private delegate bool NameCheck(ReadOnlySpan<char> name);

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new DBusProtocolException(message);
        }
    }
}
