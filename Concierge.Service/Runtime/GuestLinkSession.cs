using Concierge.Service.Supervision;
using Concierge.GuestLink;
using Concierge.GuestLink.Protocol;

namespace Concierge.Service.Runtime;

/// <summary>
/// One connection of the guest init: the stream, one writer at a time, and the replies this
/// connection still owes. When it ends, every waiting command fails (the guest's next
/// connection cannot answer requests it never received).
/// </summary>
internal sealed class GuestLinkSession : IAsyncDisposable
{
    /// <summary>Most commands waiting for a reply at once on one connection.</summary>
    public const int MaxPendingRequests = 64;

    private readonly Stream _stream;
    private readonly FrameCodec _codec;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Pending> _pending = [];
    private readonly CancellationTokenSource _closed = new();
    private string? _closeReason;

    public GuestLinkSession(Stream stream, FrameCodec codec, int number)
    {
        _stream = stream;
        _codec = codec;
        Number = number;
    }

    /// <summary>Counts connections of one VM, for logs.</summary>
    public int Number { get; }

    /// <summary>Cancelled when the connection ends.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Reads the guest's next message; null at a clean end of stream.</summary>
    public ValueTask<GuestMessage?> ReadAsync(CancellationToken cancellationToken) =>
        _codec.ReadAsync(_stream, GuestMessage.Parser, cancellationToken);

    /// <summary>Sends <paramref name="message"/> without waiting for an answer.</summary>
    public async Task SendAsync(HostMessage message, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        try
        {
            await _writeLock.WaitAsync(linked.Token);
            try
            {
                await _codec.WriteAsync(_stream, message, linked.Token);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException || (e is OperationCanceledException && _closed.IsCancellationRequested))
        {
            throw new GuestLinkUnavailableException($"the guest link dropped while sending: {_closeReason ?? e.Message}", e);
        }
    }

    /// <summary>
    /// Sends a command carrying <paramref name="requestId"/> and waits for the guest's reply of
    /// kind <paramref name="replyKind"/> with the same id, at most <paramref name="timeout"/>.
    /// </summary>
    public async Task<GuestMessage> RequestAsync(HostMessage message, ulong requestId, GuestMessage.KindOneofCase replyKind,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<GuestMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_closeReason is not null)
            {
                throw new GuestLinkUnavailableException($"the guest link is closed: {_closeReason}");
            }
            if (_pending.Count >= MaxPendingRequests)
            {
                throw new GuestCommandException($"the guest already has {MaxPendingRequests} commands in flight");
            }
            _pending.Add(requestId, new Pending(replyKind, reply));
        }
        try
        {
            await SendAsync(message, cancellationToken);
            return await reply.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new GuestCommandException($"the guest did not answer within {timeout.TotalSeconds:0.###} s");
        }
        finally
        {
            lock (_lock)
            {
                _pending.Remove(requestId);
            }
        }
    }

    /// <summary>Hands a reply to its waiting command; false when nobody asked for it (a confused or hostile guest).</summary>
    public bool TryCompleteReply(ulong requestId, GuestMessage reply)
    {
        Pending? pending;
        lock (_lock)
        {
            if (!_pending.TryGetValue(requestId, out pending) || pending.Kind != reply.KindCase)
            {
                return false;
            }
            _pending.Remove(requestId);
        }
        return pending.Reply.TrySetResult(reply);
    }

    /// <summary>Ends the connection: waiting commands fail with <paramref name="reason"/>.</summary>
    public void Close(string reason)
    {
        List<Pending> orphans;
        lock (_lock)
        {
            if (_closeReason is not null)
            {
                return;
            }
            _closeReason = reason;
            orphans = [.. _pending.Values];
            _pending.Clear();
        }
        _closed.Cancel();
        foreach (var orphan in orphans)
        {
            orphan.Reply.TrySetException(new GuestLinkUnavailableException($"the guest link dropped before the guest answered: {reason}"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close("closed by the host");
        await _stream.DisposeAsync();
        _closed.Dispose();
    }

    private sealed record Pending(GuestMessage.KindOneofCase Kind, TaskCompletionSource<GuestMessage> Reply);
}
