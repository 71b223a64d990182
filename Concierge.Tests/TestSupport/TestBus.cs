using Concierge.Service.DBus.Objects;
using Tmds.DBus.Protocol;

namespace Concierge.Tests.TestSupport;

/// <summary>
/// Test-side D-Bus calls on Tmds.DBus.Protocol: connect, call a method with a body, read the
/// reply on the receive loop, watch signals. Replies and signals are read inside the library's
/// reader callback, where the message is alive.
/// </summary>
public static class TestBus
{
    /// <summary>A connection to <paramref name="address"/>, connected.</summary>
    public static async Task<DBusConnection> ConnectAsync(string address)
    {
        var connection = new DBusConnection(address);
        try
        {
            await connection.ConnectAsync();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Calls <paramref name="member"/> and reads the reply with <paramref name="read"/>.</summary>
    public static Task<T> CallAsync<T>(this DBusConnection bus, string destination, string path, string interfaceName, string member,
        string? signature, BodyWriter? body, MessageValueReader<T> read)
    {
        ArgumentNullException.ThrowIfNull(bus);
        return bus.CallMethodAsync(Call(bus, destination, path, interfaceName, member, signature, body), read, null);
    }

    /// <summary>Calls <paramref name="member"/>, ignoring the reply's body.</summary>
    public static Task CallAsync(this DBusConnection bus, string destination, string path, string interfaceName, string member,
        string? signature = null, BodyWriter? body = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        return bus.CallMethodAsync(Call(bus, destination, path, interfaceName, member, signature, body));
    }

    /// <summary>Runs <paramref name="onSignal"/> (on the receive loop) for every signal <paramref name="rule"/> matches.</summary>
    public static ValueTask<IDisposable> WatchAsync(this DBusConnection bus, MatchRule rule, Action<Message> onSignal)
    {
        ArgumentNullException.ThrowIfNull(bus);
        rule ??= new MatchRule();
        rule.Type = MessageType.Signal;
        return bus.AddMatchAsync(rule, (message, _) =>
        {
            onSignal(message);
            return true;
        }, (Notification<bool> _) => { }, emitOnCapturedContext: false, ObserverFlags.None, state: null);
    }

    private static MessageBuffer Call(DBusConnection bus, string destination, string path, string interfaceName, string member, string? signature, BodyWriter? body)
    {
        var writer = bus.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(destination, path, interfaceName, member, signature, MessageFlags.None);
            body?.Invoke(ref writer);
            return writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
    }
}
