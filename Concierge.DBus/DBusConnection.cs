using System.Threading.Channels;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.DBus.Transport;

namespace Concierge.DBus;

/// <summary>
/// A connection to a message bus.
/// <para>Threading: one dedicated read thread parses incoming bytes. Replies to our calls are
/// handed to their waiters from there (continuations run on the thread pool). Incoming method calls
/// and signals go, in arrival order, to one dispatch loop that runs each handler to completion before
/// the next, so calls from one sender are answered in order; handlers that must wait long call
/// <see cref="MethodContext.DeferReply"/> and reply later. A handler may await calls on this same
/// connection (their replies bypass the dispatch loop) but must not call an object it serves itself
/// synchronously. Sends from any thread are serialized by one lock and go straight to the socket.</para>
/// </summary>
public sealed partial class DBusConnection : IAsyncDisposable
{
    /// <summary>The reply timeout libdbus and sd-bus use by default.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(25);


    private readonly UnixSocketTransport _transport;
    private readonly MessageStream _stream;
    private readonly PendingCalls _pending = new();
    private readonly Channel<Message> _dispatchQueue = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource<DBusConnectionClosedException> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _readLoopDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ObjectTree _objects = new();
    private readonly CallDispatcher _calls;
    private readonly CancellationTokenSource _closing = new();
    private Task _dispatchLoop = Task.CompletedTask;
    private int _serial;
    private int _closed;

    private DBusConnection(UnixSocketTransport transport, MessageStream stream, bool unixFdsSupported)
    {
        _transport = transport;
        _stream = stream;
        UnixFdsSupported = unixFdsSupported;
        _calls = new CallDispatcher(this, _objects);
        Closing = _closing.Token;
    }

    /// <summary>Our unique name on the bus (from Hello).</summary>
    public string UniqueName { get; private set; } = string.Empty;

    /// <summary>True if the bus agreed to pass fds on this connection.</summary>
    public bool UnixFdsSupported { get; }

    /// <summary>Completes (never faults) with the reason once the connection is closed for any reason.</summary>
    public Task<DBusConnectionClosedException> Disconnected => _disconnected.Task;

    /// <summary>Cancelled when the connection closes; long-running handlers should observe it.</summary>
    public CancellationToken Closing { get; }

    /// <summary>Raised (on the dispatch loop) when a method handler or signal callback throws; the connection stays up.</summary>
    public event EventHandler<Exception>? HandlerFailed;

    /// <summary>
    /// Closes the socket, fails pending calls, cancels <see cref="Closing"/>, and waits for the read
    /// loop and for the handler that is running (if any) to return.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Close(new DBusConnectionClosedException("the connection was disposed"));
        await _readLoopDone.Task;
        await _dispatchLoop;
        _transport.Dispose();
        _closing.Dispose();
    }

    internal uint NextSerial()
    {
        while (true)
        {
            var serial = (uint)Interlocked.Increment(ref _serial);
            if (serial != 0)
            {
                return serial;
            }
        }
    }

    /// <summary>Encodes and sends one message; a send failure closes the connection.</summary>
    internal void Send(MessageHeader header, MessageWriter? body)
    {
        if (body is { UnixFds.Count: > 0 } && !UnixFdsSupported)
        {
            throw new DBusException(DBusErrorNames.NotSupported, "this connection cannot pass fds");
        }
        var encoded = MessageEncoder.Encode(header, body);
        if (Disconnected.IsCompleted)
        {
            throw new DBusConnectionClosedException(Disconnected.Result.Message, Disconnected.Result);
        }
        try
        {
            _transport.Send(encoded.WrittenSpan, body?.UnixFds ?? []);
        }
        catch (IOException ex)
        {
            var closed = new DBusConnectionClosedException($"send failed: {ex.Message}", ex);
            Close(closed);
            throw closed;
        }
    }

    internal void ReportHandlerFailure(Exception error)
    {
        try
        {
            HandlerFailed?.Invoke(this, error);
        }
        catch (Exception)
        {
            // An observer that throws must not stop the dispatch loop that reports to it.
        }
    }
}
