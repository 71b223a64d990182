namespace Concierge.DBus.Protocol;

/// <summary>Generic marshalling of the value model (see <see cref="Variant"/>) by signature.</summary>
public sealed partial class MessageWriter
{
    /// <summary>
    /// Writes <paramref name="value"/> as the single complete type <paramref name="signature"/>.
    /// </summary>
    /// <exception cref="DBusProtocolException">The signature is invalid or the value does not fit it.</exception>
    public void WriteValue(string signature, object value)
    {
        SignatureValidator.Require(signature, single: true);
        WriteValueCore(signature, value);
    }

    /// <summary>Writes each value of <paramref name="values"/> as the consecutive complete types of <paramref name="signature"/>.</summary>
    public void WriteValues(string signature, IReadOnlyList<object> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        SignatureValidator.Require(signature, single: false);
        var rest = signature.AsSpan();
        foreach (var value in values)
        {
            if (rest.IsEmpty)
            {
                throw new DBusProtocolException("more values than the signature has types");
            }
            var length = TypeCodes.SingleTypeLength(rest);
            WriteValueCore(rest[..length], value);
            rest = rest[length..];
        }
        if (!rest.IsEmpty)
        {
            throw new DBusProtocolException("fewer values than the signature has types");
        }
    }

    private void WriteValueCore(ReadOnlySpan<char> type, object value)
    {
        switch (type[0])
        {
            case 'y': WriteByte(As<byte>(value, type)); break;
            case 'b': WriteBoolean(As<bool>(value, type)); break;
            case 'n': WriteInt16(As<short>(value, type)); break;
            case 'q': WriteUInt16(As<ushort>(value, type)); break;
            case 'i': WriteInt32(As<int>(value, type)); break;
            case 'u': WriteUInt32(As<uint>(value, type)); break;
            case 'x': WriteInt64(As<long>(value, type)); break;
            case 't': WriteUInt64(As<ulong>(value, type)); break;
            case 'd': WriteDouble(As<double>(value, type)); break;
            case 's': WriteString(As<string>(value, type)); break;
            case 'o': WriteObjectPath(value is string text ? new ObjectPath(text) : As<ObjectPath>(value, type)); break;
            case 'g': WriteSignature(value is string sig ? sig : As<Signature>(value, type).Value); break;
            case 'h': WriteUInt32(As<UnixFdIndex>(value, type).Index); break;
            case 'v': WriteVariant(As<Variant>(value, type)); break;
            case '(': WriteStructValue(type, As<DBusStruct>(value, type)); break;
            case 'a': WriteArrayValue(type, value); break;
            default: throw new DBusProtocolException($"cannot write type '{type}'");
        }
    }

    private void WriteStructValue(ReadOnlySpan<char> type, DBusStruct value)
    {
        WriteStructStart();
        var rest = type[1..^1];
        foreach (var field in value.Fields)
        {
            if (rest.IsEmpty)
            {
                throw new DBusProtocolException($"struct has more fields than '{type}'");
            }
            var length = TypeCodes.SingleTypeLength(rest);
            WriteValueCore(rest[..length], field);
            rest = rest[length..];
        }
        if (!rest.IsEmpty)
        {
            throw new DBusProtocolException($"struct has fewer fields than '{type}'");
        }
    }

    private void WriteArrayValue(ReadOnlySpan<char> type, object value)
    {
        var element = type[1..];
        if (element[0] == 'y' && value is byte[] bytes)
        {
            WriteByteArray(bytes);
            return;
        }
        var start = WriteArrayStart(element[0]);
        if (element[0] == '{')
        {
            var keyType = element.Slice(1, 1);
            var valueType = element[2..^1];
            foreach (var (key, item) in As<IEnumerable<KeyValuePair<object, object>>>(value, type))
            {
                WriteStructStart();
                WriteValueCore(keyType, key);
                WriteValueCore(valueType, item);
            }
        }
        else
        {
            foreach (var item in As<System.Collections.IEnumerable>(value, type))
            {
                WriteValueCore(element, item!);
            }
        }
        WriteArrayEnd(start);
    }

    private static T As<T>(object value, ReadOnlySpan<char> type) => value is T typed
        ? typed
        : throw new DBusProtocolException($"value of type {value?.GetType().Name ?? "null"} does not fit D-Bus type '{type}'");
}
