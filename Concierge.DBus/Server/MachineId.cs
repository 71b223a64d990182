namespace Concierge.DBus.Server;

/// <summary>The host's machine id for Peer.GetMachineId: /etc/machine-id, else /var/lib/dbus/machine-id.</summary>
internal static class MachineId
{
    /// <summary>Where systemd keeps the id, then where older dbus installations keep it.</summary>
    public static readonly string[] DefaultLocations = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

    private static readonly Lazy<string> Value = new(() => Read(DefaultLocations));

    public static string Get() => Value.Value;

    /// <summary>The first well-formed id (32 lowercase hex digits) found in <paramref name="locations"/>.</summary>
    public static string Read(IEnumerable<string> locations)
    {
        foreach (var path in locations)
        {
            try
            {
                var id = File.ReadAllText(path).Trim();
                if (id.Length == 32 && id.All(char.IsAsciiHexDigitLower))
                {
                    return id;
                }
            }
            catch (IOException)
            {
                // Missing or unreadable: try the next location.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read: try the next location.
            }
        }
        throw new DBusException(DBusErrorNames.Failed, $"no machine id in {string.Join(" or ", locations)}");
    }
}
