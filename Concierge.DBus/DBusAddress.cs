using System.Globalization;
using System.Text;

namespace Concierge.DBus;

/// <summary>
/// A parsed D-Bus server address: one or more <c>transport:key=value,...</c> entries separated by
/// <c>;</c>, tried in order when connecting. Values are percent-unescaped.
/// </summary>
public sealed class DBusAddress
{
    /// <summary>The address of the system bus when <c>DBUS_SYSTEM_BUS_ADDRESS</c> is not set.</summary>
    public const string DefaultSystemBusAddress = "unix:path=/var/run/dbus/system_bus_socket";

    private DBusAddress(string text, IReadOnlyList<DBusAddressEntry> entries)
    {
        Text = text;
        Entries = entries;
    }

    /// <summary>The address as given.</summary>
    public string Text { get; }

    /// <summary>The entries, in the order to try them.</summary>
    public IReadOnlyList<DBusAddressEntry> Entries { get; }

    /// <summary>The system bus: <c>DBUS_SYSTEM_BUS_ADDRESS</c>, else <see cref="DefaultSystemBusAddress"/>.</summary>
    public static DBusAddress System =>
        Parse(Environment.GetEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS") is { Length: > 0 } text ? text : DefaultSystemBusAddress);

    /// <summary>
    /// The session bus: <c>DBUS_SESSION_BUS_ADDRESS</c>, else <c>$XDG_RUNTIME_DIR/bus</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither is set.</exception>
    public static DBusAddress Session
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS") is { Length: > 0 } text)
            {
                return Parse(text);
            }
            if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
            {
                return Parse("unix:path=" + Escape(Path.Combine(runtime, "bus")));
            }
            throw new InvalidOperationException("no session bus: DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are unset");
        }
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">The text is not a D-Bus address.</exception>
    public static DBusAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<DBusAddressEntry>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new FormatException($"address entry '{part}' has no transport");
            }
            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in part[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new FormatException($"address property '{pair}' is not key=value");
                }
                if (!properties.TryAdd(pair[..equals], Unescape(pair[(equals + 1)..])))
                {
                    throw new FormatException($"address property '{pair[..equals]}' repeated");
                }
            }
            entries.Add(new DBusAddressEntry(part[..colon], properties));
        }
        if (entries.Count == 0)
        {
            throw new FormatException("empty D-Bus address");
        }
        return new DBusAddress(text, entries);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static string Unescape(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                if (i + 2 >= value.Length || !byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                {
                    throw new FormatException($"bad escape in address value '{value}'");
                }
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.Add((byte)value[i]);
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static string Escape(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '/' or '.' or '\\')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }
}
