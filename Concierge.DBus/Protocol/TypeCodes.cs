namespace Concierge.DBus.Protocol;

/// <summary>Facts about single type codes: alignment, whether a code is a basic type.</summary>
internal static class TypeCodes
{
    /// <summary>Alignment in bytes of values starting with <paramref name="code"/>.</summary>
    public static int AlignmentOf(char code) => code switch
    {
        'y' or 'g' or 'v' => 1,
        'n' or 'q' => 2,
        'b' or 'i' or 'u' or 's' or 'o' or 'a' or 'h' => 4,
        'x' or 't' or 'd' or '(' or '{' => 8,
        _ => throw new DBusProtocolException($"unknown type code '{code}'"),
    };

    /// <summary>True for the fixed and string-like types that may be dict keys.</summary>
    public static bool IsBasic(char code) => code is 'y' or 'b' or 'n' or 'q' or 'i' or 'u' or 'x' or 't' or 'd' or 's' or 'o' or 'g' or 'h';

    /// <summary>
    /// Length of the single complete type at the start of <paramref name="signature"/>, which must
    /// already be validated (this only walks brackets).
    /// </summary>
    public static int SingleTypeLength(ReadOnlySpan<char> signature)
    {
        var i = 0;
        while (signature[i] == 'a')
        {
            i++;
        }
        if (signature[i] is not ('(' or '{'))
        {
            return i + 1;
        }
        var depth = 0;
        for (; i < signature.Length; i++)
        {
            if (signature[i] is '(' or '{')
            {
                depth++;
            }
            else if (signature[i] is ')' or '}' && --depth == 0)
            {
                return i + 1;
            }
        }
        throw new DBusProtocolException("unbalanced signature");
    }
}
