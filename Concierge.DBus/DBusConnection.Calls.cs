using Concierge.DBus.Protocol;

namespace Concierge.DBus;

/// <summary>Method calls: send, await the reply, map error replies to <see cref="DBusException"/>.</summary>
public sealed partial class DBusConnection
{
    /// <summary>
    /// Calls a method and returns its reply (the caller owns it: dispose it to close unclaimed fds).
    /// </summary>
    /// <exception cref="DBusException">The callee replied with an error (its name is in <see cref="DBusException.ErrorName"/>), or the timeout elapsed (<see cref="DBusErrorNames.NoReply"/>).</exception>
    /// <exception cref="DBusConnectionClosedException">The connection closed before the reply.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<Message> CallMethodAsync(MethodCall call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        cancellationToken.ThrowIfCancellationRequested();
        var serial = NextSerial();
        var waiter = _pending.Add(serial);
        try
        {
            Send(call.ToHeader(serial, noReply: false), call.Body);
        }
        catch (Exception ex)
        {
            _pending.Fail(serial, ex);
            throw;
        }
        var timeout = call.Timeout ?? DefaultCallTimeout;
        Message reply;
        if (timeout == Timeout.InfiniteTimeSpan && !cancellationToken.CanBeCanceled)
        {
            reply = await waiter.Task;
        }
        else
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            using (timer.Token.UnsafeRegister(_ => _pending.Fail(serial, cancellationToken.IsCancellationRequested
                ? new OperationCanceledException(cancellationToken)
                : new DBusException(DBusErrorNames.NoReply, $"no reply to {call.Interface}.{call.Member} within {timeout}")), null))
            {
                reply = await waiter.Task;
            }
        }
        if (reply.Type == MessageType.Error)
        {
            using (reply)
            {
                throw ToException(reply);
            }
        }
        return reply;
    }

    /// <summary>Calls a method with no body and no interest in the reply payload beyond errors.</summary>
    public async Task CallMethodAsync(string? destination, string path, string? @interface, string member, CancellationToken cancellationToken = default)
    {
        using var reply = await CallMethodAsync(new MethodCall { Destination = destination, Path = path, Interface = @interface, Member = member }, cancellationToken);
    }

    /// <summary>Sends a method call with NO_REPLY_EXPECTED set.</summary>
    public void CallMethodNoReply(MethodCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        Send(call.ToHeader(NextSerial(), noReply: true), call.Body);
    }

    private static DBusException ToException(Message error)
    {
        var text = error.ErrorName ?? DBusErrorNames.Failed;
        if (error.Signature.StartsWith('s'))
        {
            text = error.GetBodyReader().ReadString();
        }
        return new DBusException(error.ErrorName ?? DBusErrorNames.Failed, text);
    }
}
