using System.Globalization;
using System.Text;

namespace Concierge.Contracts;

/// <summary>
/// Object paths of VM objects: <c>/org/chromium/VmConcierge/vm/&lt;escaped name&gt;/u&lt;owner uid&gt;</c>.
/// Names are escaped the way systemd-machined escapes machine names: every byte outside
/// [A-Za-z], and a leading digit, becomes _xx (lower-case hex); an empty name is "_".
/// </summary>
public static class VmObjectPath
{
    /// <summary>The object path of the VM <paramref name="name"/> owned by <paramref name="ownerUid"/>.</summary>
    public static string For(string name, uint ownerUid) =>
        ConciergeBus.VmPathPrefix + Escape(name) + "/u" + ownerUid.ToString(CultureInfo.InvariantCulture);

    /// <summary>One path element for <paramref name="name"/>.</summary>
    public static string Escape(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "_";
        }
        var bytes = Encoding.UTF8.GetBytes(name);
        var escaped = new StringBuilder(bytes.Length * 3);
        for (var i = 0; i < bytes.Length; i++)
        {
            var c = (char)bytes[i];
            if (char.IsAsciiLetter(c) || (i > 0 && char.IsAsciiDigit(c)))
            {
                escaped.Append(c);
            }
            else
            {
                escaped.Append('_').Append(bytes[i].ToString("x2", CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }

    /// <summary>The VM name a VM object path stands for, or null when it is not one (or not escaped as <see cref="Escape"/> does).</summary>
    public static string? NameOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith(ConciergeBus.VmPathPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = path[ConciergeBus.VmPathPrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !rest.AsSpan(slash + 1).StartsWith("u", StringComparison.Ordinal))
        {
            return null;
        }
        return Unescape(rest[..slash]);
    }

    private static string? Unescape(string element)
    {
        if (element == "_")
        {
            return string.Empty;
        }
        var bytes = new List<byte>(element.Length);
        for (var i = 0; i < element.Length; i++)
        {
            if (element[i] != '_')
            {
                if (!char.IsAsciiLetterOrDigit(element[i]))
                {
                    return null;
                }
                bytes.Add((byte)element[i]);
                continue;
            }
            if (i + 2 >= element.Length
                || !byte.TryParse(element.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                return null;
            }
            bytes.Add(b);
            i += 2;
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }
}
