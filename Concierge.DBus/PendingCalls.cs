using Concierge.DBus.Protocol;

namespace Concierge.DBus;

/// <summary>
/// Calls waiting for a reply, keyed by serial. Completions run their continuations asynchronously so
/// the read loop never executes caller code; a closed connection fails every waiter at once.
/// </summary>
internal sealed class PendingCalls
{
    private readonly Dictionary<uint, TaskCompletionSource<Message>> _calls = [];
    private readonly Lock _lock = new();
    private DBusConnectionClosedException? _closed;

    /// <summary>Registers a waiter for <paramref name="serial"/>; throws if the connection already closed.</summary>
    public TaskCompletionSource<Message> Add(uint serial)
    {
        var waiter = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_closed is not null)
            {
                throw new DBusConnectionClosedException(_closed.Message, _closed);
            }
            _calls.Add(serial, waiter);
        }
        return waiter;
    }

    /// <summary>Hands <paramref name="reply"/> to its waiter; false if nobody waits for it (late or unsolicited).</summary>
    public bool TryComplete(Message reply)
    {
        TaskCompletionSource<Message>? waiter;
        lock (_lock)
        {
            if (!_calls.Remove(reply.ReplySerial, out waiter))
            {
                return false;
            }
        }
        return waiter.TrySetResult(reply);
    }

    /// <summary>Fails and forgets the waiter for <paramref name="serial"/> (timeout, cancellation, send failure).</summary>
    public void Fail(uint serial, Exception error)
    {
        TaskCompletionSource<Message>? waiter;
        lock (_lock)
        {
            _calls.Remove(serial, out waiter);
        }
        waiter?.TrySetException(error);
    }

    /// <summary>Fails every waiter and refuses new ones.</summary>
    public void FailAll(DBusConnectionClosedException error)
    {
        List<TaskCompletionSource<Message>> waiters;
        lock (_lock)
        {
            _closed ??= error;
            waiters = [.. _calls.Values];
            _calls.Clear();
        }
        foreach (var waiter in waiters)
        {
            waiter.TrySetException(error);
        }
    }
}
