using Concierge.Contracts;
using System.Globalization;
using Concierge.DBus;

namespace Concierge.Client;

/// <summary>
/// A connection to the Concierge service: both API faces (<see cref="ChromeOs"/>, the protobuf one,
/// and <see cref="Manager"/>, the typed one) over one bus connection, plus signal subscriptions.
/// Every failure is a <see cref="ConciergeException"/> subclass whose message says what to do next.
/// </summary>
public sealed class ConciergeClient : IAsyncDisposable
{
    private ConciergeClient(DBusConnection connection, uint uid)
    {
        Connection = connection;
        Uid = uid;
        ChromeOs = new ChromeOsApi(this);
        Manager = new VmManagerApi(this);
    }

    /// <summary>The bus connection (for callers that need something this client does not wrap).</summary>
    public DBusConnection Connection { get; }

    /// <summary>Our uid as the bus sees it: the owner of the VMs we create.</summary>
    public uint Uid { get; }

    /// <summary>Our uid as the Chrome OS face's owner_id.</summary>
    public string OwnerId => Uid.ToString(CultureInfo.InvariantCulture);

    /// <summary>The Chrome OS-compatible face (protobuf in <c>ay</c>).</summary>
    public ChromeOsApi ChromeOs { get; }

    /// <summary>The typed face (Manager plus per-VM objects).</summary>
    public VmManagerApi Manager { get; }

    /// <summary>
    /// Connects to <paramref name="address"/>, or to the system bus (DBUS_SYSTEM_BUS_ADDRESS when set).
    /// Throws <see cref="ServiceUnavailableException"/> when the bus cannot be reached.
    /// </summary>
    public static async Task<ConciergeClient> ConnectAsync(string? address = null, CancellationToken cancellationToken = default)
    {
        var busAddress = address is { Length: > 0 } ? ParseAddress(address) : DBusAddress.System;
        DBusConnection connection;
        try
        {
            connection = await DBusConnection.ConnectAsync(busAddress, cancellationToken);
        }
        catch (DBusException e)
        {
            throw ErrorTranslator.Unreachable(busAddress.Text, e);
        }
        try
        {
            var uid = await connection.GetConnectionUnixUserAsync(connection.UniqueName, cancellationToken);
            return new ConciergeClient(connection, uid);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw e is DBusException bus ? ErrorTranslator.Translate(bus, "connect") : e;
        }
    }

    /// <summary>
    /// Throws <see cref="ServiceUnavailableException"/> unless someone owns the service's name
    /// (a cheap check before work that would otherwise fail half-way).
    /// </summary>
    public async Task EnsureServiceRunningAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Connection.GetNameOwnerAsync(ConciergeBus.ServiceName, cancellationToken);
        }
        catch (DBusException e)
        {
            throw ErrorTranslator.Translate(e, "connect to the service");
        }
    }

    /// <summary>Closes the bus connection (and with it every subscription).</summary>
    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    /// <summary>Calls a method of the service, translating errors; the caller owns the reply.</summary>
    internal async Task<DBus.Protocol.Message> CallAsync(MethodCall call, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await Connection.CallMethodAsync(call, cancellationToken);
        }
        catch (DBusException e)
        {
            throw ErrorTranslator.Translate(e, operation);
        }
    }

    private static DBusAddress ParseAddress(string address)
    {
        try
        {
            return DBusAddress.Parse(address);
        }
        catch (FormatException e)
        {
            throw new InvalidRequestException($"'{address}' is not a D-Bus address (e.g. unix:path=/run/dbus/system_bus_socket): {e.Message}", e);
        }
    }
}
