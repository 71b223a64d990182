using System.Text;

namespace Concierge.Service.Naming;

/// <summary>
/// Turns any string into one D-Bus object path element and back, the way systemd's
/// <c>bus_label_escape</c> does for machined's machine objects: each UTF-8 byte that is not an
/// ASCII letter, or a digit after the first position, becomes <c>_</c> and two lowercase hex
/// digits; the empty string becomes <c>_</c>. Unescaping reverses it and keeps malformed
/// escapes literally.
/// </summary>
public static class ObjectPathLabel
{
    /// <summary>Escapes <paramref name="value"/> into <c>[A-Za-z0-9_]+</c>.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return "_";
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length * 3);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (char.IsAsciiLetter((char)b) || (i > 0 && char.IsAsciiDigit((char)b)))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('_').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }
        return builder.ToString();
    }

    /// <summary>Reverses <see cref="Escape"/>; bytes that do not form UTF-8 become U+FFFD.</summary>
    public static string Unescape(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (label == "_")
        {
            return string.Empty;
        }
        var bytes = new List<byte>(label.Length);
        for (var i = 0; i < label.Length; i++)
        {
            if (label[i] == '_' && i + 2 < label.Length
                && char.IsAsciiHexDigit(label[i + 1]) && char.IsAsciiHexDigit(label[i + 2]))
            {
                bytes.Add((byte)((HexValue(label[i + 1]) << 4) | HexValue(label[i + 2])));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(label[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
