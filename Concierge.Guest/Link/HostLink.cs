using Concierge.GuestLink;
using System.Threading.Channels;
using Concierge.GuestLink.Protocol;

namespace Concierge.Guest.Link;

/// <summary>
/// The guest's side of the host link: connects, says Hello, sends a Heartbeat every
/// interval and queued events, and carries out the host's commands. When the stream drops
/// or the host breaks the framing, it reconnects with exponential backoff; heartbeat
/// sequence numbers keep growing across connections so the host can tell a reconnect from
/// a reboot (the Hello's boot time changes only on a reboot).
/// </summary>
internal sealed class HostLink
{
    private readonly IHostTransport _transport;
    private readonly IGuestAgent _agent;
    private readonly HostLinkOptions _options;
    private readonly FrameCodec _codec;
    private readonly Channel<GuestMessage> _events;
    private long _sequence;

    public HostLink(IHostTransport transport, IGuestAgent agent, HostLinkOptions options)
    {
        _transport = transport;
        _agent = agent;
        _options = options;
        _codec = new FrameCodec(options.MaxFrameBytes);
        _events = Channel.CreateBounded<GuestMessage>(new BoundedChannelOptions(options.MaxQueuedEvents)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
    }

    /// <summary>Queues an event (ProcessExited, ShutdownStarted) for the current or next connection.</summary>
    public void Post(GuestMessage message) => _events.Writer.TryWrite(message);

    /// <summary>Waits (at most <paramref name="timeout"/>) until every queued event was written: the last words before power-off.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_events.Reader.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Runs until cancelled, then throws <see cref="OperationCanceledException"/>: connect, serve, and reconnect after every failure.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = _options.MinReconnectDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            Stream stream;
            try
            {
                stream = await _transport.ConnectAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                Log.Warn($"host link: cannot connect to {_transport.Describe()}: {e.Message}; retrying in {delay.TotalMilliseconds} ms");
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                continue;
            }
            delay = _options.MinReconnectDelay;
            await using (stream)
            {
                try
                {
                    await ServeAsync(stream, cancellationToken);
                    Log.Warn("host link: the host closed the connection");
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Whatever broke (the peer, the framing, a /proc read), the guest keeps its link.
                    Log.Warn($"host link: connection lost: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        // Cancelling ends the stream too, so the cancellation may have surfaced above as a broken
        // connection: end the way a cancelled task does all the same.
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>One connection: Hello first, then three loops until any of them ends.</summary>
    private async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A read blocked in the transport may not see the token: ending the stream ends it.
        using var endStream = session.Token.Register(stream.Dispose);
        var writeLock = new SemaphoreSlim(1, 1);
        await WriteAsync(stream, writeLock, new GuestMessage { Hello = _agent.DescribeGuest() }, session.Token);
        Log.Info($"host link: connected to {_transport.Describe()}");
        var loops = new[]
        {
            ReadCommandsAsync(stream, writeLock, session.Token),
            SendHeartbeatsAsync(stream, writeLock, session.Token),
            SendEventsAsync(stream, writeLock, session.Token),
        };
        var first = await Task.WhenAny(loops);
        await session.CancelAsync();
        // The others end because the session did (cancelled, or the stream ended under them): the first one says why.
        foreach (var loop in loops)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await first;
    }

    private async Task ReadCommandsAsync(Stream stream, SemaphoreSlim writeLock, CancellationToken cancellationToken)
    {
        while (await _codec.ReadAsync(stream, HostMessage.Parser, cancellationToken) is { } command)
        {
            switch (command.KindCase)
            {
                case HostMessage.KindOneofCase.Exec:
                    // Commands run concurrently; a slow one must not stall heartbeats or other commands.
                    _ = RunExecAsync(stream, writeLock, command.Exec, cancellationToken);
                    break;
                case HostMessage.KindOneofCase.SetTime:
                    await WriteAsync(stream, writeLock, new GuestMessage { SetTimeResult = _agent.SetTime(command.SetTime) }, cancellationToken);
                    break;
                case HostMessage.KindOneofCase.Shutdown:
                    Log.Info("host link: the host asked for shutdown");
                    _agent.Shutdown(command.Shutdown);
                    break;
                default:
                    Log.Warn($"host link: ignoring a host message without a known kind ({command.KindCase})");
                    break;
            }
        }
    }

    private async Task RunExecAsync(Stream stream, SemaphoreSlim writeLock, Exec request, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _agent.ExecAsync(request, cancellationToken);
            await WriteAsync(stream, writeLock, new GuestMessage { ExecResult = result }, cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The connection ended while the command ran; the host asks again if it still cares.
            Log.Warn($"host link: exec {request.RequestId} result not delivered: {e.Message}");
        }
    }

    private async Task SendHeartbeatsAsync(Stream stream, SemaphoreSlim writeLock, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        do
        {
            var heartbeat = _agent.SampleHeartbeat();
            heartbeat.Sequence = (ulong)Interlocked.Increment(ref _sequence);
            await WriteAsync(stream, writeLock, new GuestMessage { Heartbeat = heartbeat }, cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task SendEventsAsync(Stream stream, SemaphoreSlim writeLock, CancellationToken cancellationToken)
    {
        await foreach (var message in _events.Reader.ReadAllAsync(cancellationToken))
        {
            await WriteAsync(stream, writeLock, message, cancellationToken);
        }
    }

    private async Task WriteAsync(Stream stream, SemaphoreSlim writeLock, GuestMessage message, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            await _codec.WriteAsync(stream, message, cancellationToken);
        }
        finally
        {
            writeLock.Release();
        }
    }
}
