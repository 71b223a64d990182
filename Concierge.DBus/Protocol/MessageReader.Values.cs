namespace Concierge.DBus.Protocol;

/// <summary>Generic reads into the value model (see <see cref="Variant"/>), and allocation-free validation.</summary>
public ref partial struct MessageReader
{
    /// <summary>Reads a VARIANT.</summary>
    public Variant ReadVariant() => ReadVariantCore(1);

    /// <summary>Reads a value of the single complete type <paramref name="signature"/>.</summary>
    public object ReadValue(string signature)
    {
        SignatureValidator.Require(signature, single: true);
        return ReadValueCore(signature, 0, materialize: true)!;
    }

    /// <summary>Reads consecutive values for every complete type in <paramref name="signature"/>.</summary>
    public object[] ReadValues(string signature)
    {
        SignatureValidator.Require(signature, single: false);
        var values = new List<object>();
        var rest = signature.AsSpan();
        while (!rest.IsEmpty)
        {
            var length = TypeCodes.SingleTypeLength(rest);
            values.Add(ReadValueCore(rest[..length], 0, materialize: true)!);
            rest = rest[length..];
        }
        return [.. values];
    }

    /// <summary>
    /// Walks values of the (valid) <paramref name="signature"/> without keeping them, checking
    /// every rule; used to validate a whole body before any handler sees it.
    /// </summary>
    internal void Validate(ReadOnlySpan<char> signature)
    {
        while (!signature.IsEmpty)
        {
            var length = TypeCodes.SingleTypeLength(signature);
            ReadValueCore(signature[..length], 0, materialize: false);
            signature = signature[length..];
        }
    }

    private Variant ReadVariantCore(int depth)
    {
        var signature = ReadSignature();
        if (!SignatureValidator.IsSingleCompleteType(signature, out var error))
        {
            throw new DBusProtocolException($"variant signature '{signature}': {error}");
        }
        return new Variant(signature, ReadValueCore(signature, depth, materialize: true)!);
    }

    // depth counts arrays, structs and variants across variant boundaries, so a chain of
    // variants inside variants cannot recurse deeper than MaxTotalDepth.
    private object? ReadValueCore(ReadOnlySpan<char> type, int depth, bool materialize)
    {
        if (depth > ProtocolLimits.MaxTotalDepth)
        {
            throw new DBusProtocolException("values nested deeper than 64 containers");
        }
        switch (type[0])
        {
            case 'y': return ReadByte();
            case 'b': return ReadBoolean();
            case 'n': return ReadInt16();
            case 'q': return ReadUInt16();
            case 'i': return ReadInt32();
            case 'u': return ReadUInt32();
            case 'x': return ReadInt64();
            case 't': return ReadUInt64();
            case 'd': return ReadDouble();
            case 's': return ReadString();
            case 'o': return ReadObjectPath();
            case 'g': return new Signature(ReadSignature());
            case 'h': return ReadUnixFdIndex();
            case 'v':
                if (materialize)
                {
                    return ReadVariantCore(depth + 1);
                }
                var signature = ReadSignature();
                SignatureValidator.Require(signature, single: true);
                return ReadValueCore(signature, depth + 1, materialize: false);
            case '(':
                ReadStructStart();
                return ReadStructFields(type[1..^1], depth + 1, materialize);
            case 'a':
                return ReadArrayValue(type[1..], depth + 1, materialize);
            default:
                throw new DBusProtocolException($"cannot read type '{type}'");
        }
    }

    private DBusStruct? ReadStructFields(ReadOnlySpan<char> fieldTypes, int depth, bool materialize)
    {
        var fields = materialize ? new List<object>() : null;
        while (!fieldTypes.IsEmpty)
        {
            var length = TypeCodes.SingleTypeLength(fieldTypes);
            var value = ReadValueCore(fieldTypes[..length], depth, materialize);
            fields?.Add(value!);
            fieldTypes = fieldTypes[length..];
        }
        return fields is null ? null : new DBusStruct([.. fields]);
    }

    // Every element consumes at least one byte, so the loop ends within the array length.
    private object? ReadArrayValue(ReadOnlySpan<char> element, int depth, bool materialize)
    {
        if (element[0] == 'y')
        {
            var endBytes = ReadArrayStart('y');
            var bytes = materialize ? _data[_position..endBytes].ToArray() : null;
            _position = endBytes;
            return bytes;
        }
        var end = ReadArrayStart(element[0]);
        if (!materialize && FixedSize(element[0]) is > 0 and var size)
        {
            // Fixed-size numbers need no per-element checks: validate the length and skip,
            // so a 64 MiB array costs no allocations.
            if ((end - _position) % size != 0)
            {
                throw new DBusProtocolException("array length is not a whole number of elements");
            }
            _position = end;
            return null;
        }
        if (element[0] == '{')
        {
            var keyType = element.Slice(1, 1);
            var valueType = element[2..^1];
            var entries = materialize ? new List<KeyValuePair<object, object>>() : null;
            while (HasNext(end))
            {
                ReadStructStart();
                var key = ReadValueCore(keyType, depth + 1, materialize);
                var value = ReadValueCore(valueType, depth + 1, materialize);
                entries?.Add(new KeyValuePair<object, object>(key!, value!));
            }
            return entries?.ToArray();
        }
        var items = materialize ? new List<object>() : null;
        while (HasNext(end))
        {
            var item = ReadValueCore(element, depth, materialize);
            items?.Add(item!);
        }
        return items?.ToArray();
    }

    // Size of numeric types that are valid for any bit pattern; 0 for the rest (b and h need checks).
    private static int FixedSize(char code) => code switch
    {
        'n' or 'q' => 2,
        'i' or 'u' => 4,
        'x' or 't' or 'd' => 8,
        _ => 0,
    };
}
