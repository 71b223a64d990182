namespace Concierge.DBus.Protocol;

/// <summary>
/// Checks signatures against the specification: known codes only, balanced and non-empty structs,
/// dict entries only as array elements with a basic key and exactly two members, at most 255 bytes,
/// at most 32 nested arrays and 32 nested structs.
/// </summary>
public static class SignatureValidator
{
    /// <summary>True if <paramref name="signature"/> is a valid (possibly empty) signature.</summary>
    public static bool IsValid(ReadOnlySpan<char> signature, out string? error)
    {
        if (signature.Length > ProtocolLimits.MaxSignatureLength)
        {
            error = "longer than 255 bytes";
            return false;
        }
        var position = 0;
        while (position < signature.Length)
        {
            if (!TryCompleteType(signature, ref position, 0, 0, out error))
            {
                return false;
            }
        }
        error = null;
        return true;
    }

    /// <summary>True if <paramref name="signature"/> is exactly one complete type (as a variant needs).</summary>
    public static bool IsSingleCompleteType(ReadOnlySpan<char> signature, out string? error)
    {
        if (!IsValid(signature, out error))
        {
            return false;
        }
        if (signature.Length == 0 || TypeCodes.SingleTypeLength(signature) != signature.Length)
        {
            error = "not a single complete type";
            return false;
        }
        return true;
    }

    /// <summary>Throws <see cref="DBusProtocolException"/> unless the signature is valid.</summary>
    internal static void Require(ReadOnlySpan<char> signature, bool single)
    {
        var ok = single ? IsSingleCompleteType(signature, out var error) : IsValid(signature, out error);
        if (!ok)
        {
            throw new DBusProtocolException($"invalid signature '{signature}': {error}");
        }
    }

    // Recursion depth is bounded by the 32+32 nesting limits checked on the way down.
    private static bool TryCompleteType(ReadOnlySpan<char> sig, ref int position, int arrays, int structs, out string? error)
    {
        error = null;
        var code = sig[position++];
        switch (code)
        {
            case 'y' or 'b' or 'n' or 'q' or 'i' or 'u' or 'x' or 't' or 'd' or 's' or 'o' or 'g' or 'h' or 'v':
                return true;
            case 'a':
                if (arrays + 1 > ProtocolLimits.MaxArrayDepth)
                {
                    error = "more than 32 nested arrays";
                    return false;
                }
                if (position >= sig.Length)
                {
                    error = "array without element type";
                    return false;
                }
                if (sig[position] == '{')
                {
                    return TryDictEntry(sig, ref position, arrays + 1, structs, out error);
                }
                return TryCompleteType(sig, ref position, arrays + 1, structs, out error);
            case '(':
                if (structs + 1 > ProtocolLimits.MaxStructDepth)
                {
                    error = "more than 32 nested structs";
                    return false;
                }
                if (position < sig.Length && sig[position] == ')')
                {
                    error = "empty struct";
                    return false;
                }
                while (position < sig.Length && sig[position] != ')')
                {
                    if (!TryCompleteType(sig, ref position, arrays, structs + 1, out error))
                    {
                        return false;
                    }
                }
                if (position >= sig.Length)
                {
                    error = "unterminated struct";
                    return false;
                }
                position++;
                return true;
            case '{':
                error = "dict entry outside an array";
                return false;
            default:
                error = $"invalid type code '{code}'";
                return false;
        }
    }

    private static bool TryDictEntry(ReadOnlySpan<char> sig, ref int position, int arrays, int structs, out string? error)
    {
        position++; // '{'
        if (structs + 1 > ProtocolLimits.MaxStructDepth)
        {
            error = "more than 32 nested structs";
            return false;
        }
        if (position >= sig.Length || !TypeCodes.IsBasic(sig[position]))
        {
            error = "dict key must be a basic type";
            return false;
        }
        position++;
        if (position >= sig.Length || sig[position] == '}')
        {
            error = "dict entry needs a value type";
            return false;
        }
        if (!TryCompleteType(sig, ref position, arrays, structs + 1, out error))
        {
            return false;
        }
        if (position >= sig.Length || sig[position] != '}')
        {
            error = "dict entry must have exactly two types";
            return false;
        }
        position++;
        return true;
    }
}
