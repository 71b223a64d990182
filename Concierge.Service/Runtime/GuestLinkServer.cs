using System.Threading.Channels;
using Concierge.GuestLink;
using Concierge.GuestLink.Protocol;
using Concierge.Service.Supervision;
using Concierge.Vmm.Devices.Virtio.Vsock;
using Serilog;

namespace Concierge.Service.Runtime;

/// <summary>
/// The host's end of one VM's host link: accepts the guest init's vsock connections (a new one
/// replaces the old: the guest reconnects after a drop), turns Hello and Heartbeat into
/// supervisor events, routes command replies to their callers, and sends commands on the
/// current connection. A guest that breaks the protocol loses that connection, never more.
/// </summary>
internal sealed class GuestLinkServer : IAsyncDisposable
{
    /// <summary>Events kept for a slow reader; the oldest go first (a newer heartbeat says more).</summary>
    private const int EventBuffer = 256;

    /// <summary>Longest kernel version string passed on from a guest.</summary>
    private const int MaxKernelVersionLength = 256;

    private readonly IVsockListener _listener;
    private readonly FrameCodec _codec;
    private readonly ILogger _log;
    private readonly Channel<GuestLinkEvent> _events = Channel.CreateBounded<GuestLinkEvent>(
        new BoundedChannelOptions(EventBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = false });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private GuestLinkSession? _current;
    private Task? _acceptLoop;
    private int _connections;
    private long _nextRequestId;

    public GuestLinkServer(IVsockListener listener, int maxFrameBytes, ILogger log)
    {
        _listener = listener;
        _codec = new FrameCodec(maxFrameBytes);
        _log = log;
    }

    /// <summary>Guest events until the server is disposed.</summary>
    public ChannelReader<GuestLinkEvent> Events => _events.Reader;

    /// <summary>True while a guest connection is open.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_lock)
            {
                return _current is not null;
            }
        }
    }

    public void Start() => _acceptLoop = Task.Run(AcceptLoopAsync);

    /// <summary>A fresh request id (unique per VM instance).</summary>
    public ulong NextRequestId() => (ulong)Interlocked.Increment(ref _nextRequestId);

    /// <summary>Sends a command that has no reply.</summary>
    public Task SendAsync(HostMessage message, CancellationToken cancellationToken) =>
        RequireSession().SendAsync(message, cancellationToken);

    /// <summary>Sends a command and waits for its reply on the same connection.</summary>
    public Task<GuestMessage> RequestAsync(HostMessage message, ulong requestId, GuestMessage.KindOneofCase replyKind,
        TimeSpan timeout, CancellationToken cancellationToken) =>
        RequireSession().RequestAsync(message, requestId, replyKind, timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        GuestLinkSession? current;
        lock (_lock)
        {
            current = _current;
            _current = null;
        }
        if (current is not null)
        {
            await current.DisposeAsync();
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }
        _events.Writer.TryComplete();
        _stop.Dispose();
    }

    private GuestLinkSession RequireSession()
    {
        lock (_lock)
        {
            return _current ?? throw new GuestLinkUnavailableException("the guest init is not connected");
        }
    }

    private async Task AcceptLoopAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var stream = await _listener.AcceptAsync(_stop.Token);
                var session = new GuestLinkSession(stream, _codec, ++_connections);
                GuestLinkSession? replaced;
                lock (_lock)
                {
                    replaced = _current;
                    _current = session;
                }
                if (replaced is not null)
                {
                    _log.Information("Guest link connection {Connection} replaces {Replaced}", session.Number, replaced.Number);
                    replaced.Close("the guest connected again");
                }
                sessions.RemoveAll(task => task.IsCompleted);
                sessions.Add(ServeAsync(session));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed: the VM is going away.
        }
        await Task.WhenAll(sessions);
    }

    private async Task ServeAsync(GuestLinkSession session)
    {
        var reason = "the guest closed the connection";
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, session.Closed);
            var first = true;
            while (await session.ReadAsync(stop.Token) is { } message)
            {
                if (first && message.KindCase != GuestMessage.KindOneofCase.Hello)
                {
                    reason = $"the guest's first frame was {message.KindCase}, not Hello";
                    break;
                }
                first = false;
                Dispatch(session, message);
            }
        }
        catch (OperationCanceledException)
        {
            reason = "the connection was replaced or the VM is stopping";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // FrameException is an IOException: a guest breaking the framing loses this connection.
            reason = $"{e.GetType().Name}: {e.Message}";
        }
        _log.Information("Guest link connection {Connection} ended: {Reason}", session.Number, reason);
        lock (_lock)
        {
            if (_current == session)
            {
                _current = null;
            }
        }
        session.Close(reason);
        await session.DisposeAsync();
    }

    /// <summary>The heartbeat's numbers in host units, each bounded so no guest value overflows a conversion.</summary>
    private static GuestVitals Vitals(Heartbeat beat)
    {
        const ulong MaxKib = ulong.MaxValue / 1024;
        return new GuestVitals(
            TimeSpan.FromMilliseconds(Math.Min(beat.UptimeMs, (ulong)TimeSpan.MaxValue.TotalMilliseconds / 2)),
            beat.Load1Centi / 100.0,
            beat.Load5Centi / 100.0,
            beat.Load15Centi / 100.0,
            Math.Min(beat.MemoryAvailableKib, MaxKib) * 1024,
            Math.Min(beat.MemoryTotalKib, MaxKib) * 1024);
    }

    private void Dispatch(GuestLinkSession session, GuestMessage message)
    {
        switch (message.KindCase)
        {
            case GuestMessage.KindOneofCase.Hello:
                var kernel = message.Hello.KernelVersion;
                kernel = kernel.Length > MaxKernelVersionLength ? kernel[..MaxKernelVersionLength] : kernel;
                _log.Information("Guest said hello on connection {Connection}: kernel {KernelVersion}, host name {GuestHostName}",
                    session.Number, kernel, Truncate(message.Hello.Hostname));
                _events.Writer.TryWrite(new GuestHello(kernel));
                break;
            case GuestMessage.KindOneofCase.Heartbeat:
                _events.Writer.TryWrite(new GuestHeartbeat(message.Heartbeat.Sequence, Vitals(message.Heartbeat)));
                break;
            case GuestMessage.KindOneofCase.ExecResult:
                CompleteReply(session, message.ExecResult.RequestId, message);
                break;
            case GuestMessage.KindOneofCase.SetTimeResult:
                CompleteReply(session, message.SetTimeResult.RequestId, message);
                break;
            case GuestMessage.KindOneofCase.ProcessExited:
                var exited = message.ProcessExited;
                _log.Information("Guest process {GuestProcess} (pid {GuestPid}) ended: {Status} {Code}, respawning {Respawning}, gave up {GaveUp}",
                    Truncate(exited.Name), exited.Pid, exited.Status, exited.Code, exited.Respawning, exited.GaveUp);
                break;
            case GuestMessage.KindOneofCase.ShutdownStarted:
                _log.Information("Guest is shutting down: {Reason}", Truncate(message.ShutdownStarted.Reason));
                break;
            default:
                _log.Debug("Ignoring a guest message of unknown kind on connection {Connection}", session.Number);
                break;
        }
    }

    private void CompleteReply(GuestLinkSession session, ulong requestId, GuestMessage reply)
    {
        if (!session.TryCompleteReply(requestId, reply))
        {
            _log.Warning("Guest sent an unexpected {ReplyKind} for request {RequestId}", reply.KindCase, requestId);
        }
    }

    /// <summary>Guest strings go into logs bounded.</summary>
    private static string Truncate(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
