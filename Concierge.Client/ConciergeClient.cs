using Concierge.Contracts;
using System.Globalization;
using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// A connection to the Concierge service: both API faces (<see cref="ChromeOs"/>, the protobuf one,
/// and <see cref="Manager"/>, the typed one) over one bus connection, plus signal subscriptions.
/// Every failure is a <see cref="ConciergeException"/> subclass whose message says what to do next.
/// </summary>
public sealed class ConciergeClient : IAsyncDisposable
{
    /// <summary>
    /// How long a call waits for its reply unless it says otherwise: the timeout libdbus and sd-bus
    /// use. Tmds.DBus.Protocol waits for a reply as long as the connection lives, so the client bounds calls itself.
    /// </summary>
    internal static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(25);

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
    /// Throws <see cref="ServiceUnavailableException"/> when the bus cannot be reached, and
    /// <see cref="InvalidRequestException"/> when the address is not a D-Bus address.
    /// </summary>
    public static async Task<ConciergeClient> ConnectAsync(string? address = null, CancellationToken cancellationToken = default)
    {
        // DBusAddress.System is null only on Windows, where Concierge does not run.
        var busAddress = address is { Length: > 0 } ? address : DBusAddress.System!;
        var connection = new DBusConnection(busAddress);
        try
        {
            try
            {
                // ConnectAsync takes no token; cancelling abandons it, and the Dispose below ends it.
                await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken);
            }
            catch (DBusConnectFailedException e) when (e.InnerException is ArgumentException or FormatException)
            {
                // Tmds parses the address only when it connects, and reports a malformed one this way.
                throw new InvalidRequestException($"'{busAddress}' is not a D-Bus address (e.g. unix:path=/run/dbus/system_bus_socket): {e.Message}", e);
            }
            catch (DBusConnectionException e)
            {
                throw ErrorTranslator.Unreachable(busAddress, e);
            }
            // UniqueName is set once the connection is up.
            var uid = await CallAsync(connection, BusDaemon.GetConnectionUnixUser(connection, connection.UniqueName!),
                static (reply, _) => reply.GetBodyReader().ReadUInt32(), "connect", DefaultCallTimeout, cancellationToken);
            return new ConciergeClient(connection, uid);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Throws <see cref="ServiceUnavailableException"/> unless someone owns the service's name
    /// (a cheap check before work that would otherwise fail half-way).
    /// </summary>
    public Task EnsureServiceRunningAsync(CancellationToken cancellationToken = default) =>
        CallAsync(BusDaemon.GetNameOwner(Connection, ConciergeBus.ServiceName), "connect to the service", DefaultCallTimeout, cancellationToken);

    /// <summary>Closes the bus connection (and with it every subscription).</summary>
    public ValueTask DisposeAsync()
    {
        // Tmds closes a connection synchronously; the interface stays async for the callers' 'await using'.
        Connection.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Starts a method call to the service's object at <paramref name="path"/>; the caller writes the body and creates the message.</summary>
    internal MessageWriter MethodCall(string path, string @interface, string member, string? signature = null)
    {
        var writer = Connection.GetMessageWriter();
        writer.WriteMethodCallHeader(ConciergeBus.ServiceName, path, @interface, member, signature);
        return writer;
    }

    /// <summary>Sends <paramref name="message"/> and waits for a reply without a value, translating errors.</summary>
    internal Task CallAsync(MessageBuffer message, string operation, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(Connection, message, static (_, _) => true, operation, timeout, cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/> and returns what <paramref name="read"/> takes from the reply, translating errors.
    /// <paramref name="read"/> runs on the connection's receive loop: it reads everything needed and never blocks.
    /// </summary>
    internal Task<T> CallAsync<T>(MessageBuffer message, MessageValueReader<T> read, string operation, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(Connection, message, read, operation, timeout, cancellationToken);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to the signals <paramref name="rule"/> matches that
    /// <paramref name="parse"/> understands (null: not one of ours). Both run on the connection's
    /// receive loop, one signal at a time.
    /// </summary>
    internal async Task<IDisposable> WatchAsync<T>(MatchRule rule, Func<Message, T?> parse, Action<T> handler, string operation, CancellationToken cancellationToken)
        where T : class
    {
        // AddMatch is one quick round trip to the bus that Tmds does not let us cancel: the token is checked before it.
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Off the receive loop afterwards, as after a call (see CallAsync).
            return await Connection.AddMatchAsync(rule, (message, _) => parse(message), notification => Deliver(notification.Value, handler),
                emitOnCapturedContext: false).AsTask().ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        catch (DBusExceptionBase e)
        {
            throw ErrorTranslator.Translate(e, operation);
        }
    }

    private static async Task<T> CallAsync<T>(DBusConnection connection, MessageBuffer message, MessageValueReader<T> read, string operation,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            // Tmds calls have neither timeout nor token: a call given up on here is left to finish, and its reply is dropped.
            // Tmds completes a call on its receive loop; yielding keeps the caller's code after the await
            // off that loop, where anything that blocks would stop every reply and signal of the connection.
            return await connection.CallMethodAsync(message, read).WaitAsync(timeout, cancellationToken)
                .ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        catch (Exception e) when (e is DBusExceptionBase or TimeoutException)
        {
            throw ErrorTranslator.Translate(e, operation);
        }
    }

    private static void Deliver<T>(T? value, Action<T> handler)
        where T : class
    {
        if (value is null)
        {
            return;
        }
        try
        {
            handler(value);
        }
        catch (Exception)
        {
            // Tmds closes the connection when a signal handler throws, which would end every call and
            // subscription of this client over one event a caller's handler could not take: that
            // event is dropped instead, and the next signals are delivered.
        }
    }
}
