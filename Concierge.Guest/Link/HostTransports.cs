using System.Globalization;
using Concierge.Guest.Config;

namespace Concierge.Guest.Link;

/// <summary>Parses a transport address: "vsock:CID:PORT" or "unix:/path".</summary>
internal static class HostTransports
{
    public static IHostTransport Parse(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.StartsWith("unix:", StringComparison.Ordinal) && address.Length > 5)
        {
            return new UnixSocketTransport(address[5..]);
        }
        var parts = address.Split(':');
        if (parts is ["vsock", var cid, var port]
            && uint.TryParse(cid, NumberStyles.None, CultureInfo.InvariantCulture, out var cidValue)
            && uint.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portValue))
        {
            return new VsockTransport(cidValue, portValue);
        }
        throw new ConfigException($"host link address '{address}' is neither vsock:CID:PORT nor unix:PATH");
    }
}
