using Concierge.DBus.Protocol;
using Concierge.DBus.Transport;

namespace Concierge.DBus;

/// <summary>Connecting: address entries tried in order, SASL EXTERNAL, then Hello.</summary>
public sealed partial class DBusConnection
{
    private static readonly TimeSpan AuthTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Connects to the first reachable entry of <paramref name="address"/>, authenticates and says Hello.</summary>
    /// <exception cref="DBusException">No entry could be connected or authentication failed.</exception>
    public static async Task<DBusConnection> ConnectAsync(DBusAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (transport, stream, fds) = await Task.Run(() => OpenAndAuthenticate(address), cancellationToken);
        var connection = new DBusConnection(transport, stream, fds);
        connection.Start();
        try
        {
            var reply = await connection.CallBusAsync("Hello", string.Empty, null, cancellationToken);
            connection.UniqueName = reply.GetBodyReader().ReadString();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Connects to the address given as text.</summary>
    public static Task<DBusConnection> ConnectAsync(string address, CancellationToken cancellationToken = default) =>
        ConnectAsync(DBusAddress.Parse(address), cancellationToken);

    private static (UnixSocketTransport, MessageStream, bool) OpenAndAuthenticate(DBusAddress address)
    {
        var failures = new List<string>();
        foreach (var entry in address.Entries)
        {
            UnixSocketTransport? transport = null;
            try
            {
                transport = OpenEntry(entry);
                if (transport is null)
                {
                    failures.Add($"{entry.Transport}: unsupported transport or missing path");
                    continue;
                }
                transport.SetReceiveTimeout(AuthTimeout);
                var stream = new MessageStream(transport);
                var fds = SaslClient.Authenticate(transport, stream);
                transport.SetReceiveTimeout(TimeSpan.Zero);
                return (transport, stream, fds);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or DBusException or DBusProtocolException)
            {
                transport?.Dispose();
                failures.Add($"{entry.Transport}: {ex.Message}");
            }
        }
        throw new DBusException(DBusErrorNames.Failed, $"cannot connect to '{address}': {string.Join("; ", failures)}");
    }

    private static UnixSocketTransport? OpenEntry(DBusAddressEntry entry)
    {
        if (entry.Transport != "unix")
        {
            return null;
        }
        if (entry.Get("path") is { } path)
        {
            return UnixSocketTransport.Connect(path, abstractName: false);
        }
        return entry.Get("abstract") is { } name ? UnixSocketTransport.Connect(name, abstractName: true) : null;
    }
}
