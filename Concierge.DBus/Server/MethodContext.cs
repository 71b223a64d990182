using Concierge.DBus.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Concierge.DBus.Server;

/// <summary>
/// One incoming method call: who sent it, its body and fds, and how to answer. Exactly one reply
/// (return or error) is sent per call; replies are suppressed when the caller set NO_REPLY_EXPECTED.
/// </summary>
public sealed class MethodContext
{
    private int _replied;

    internal MethodContext(DBusConnection connection, Message request)
    {
        Connection = connection;
        Request = request;
    }

    /// <summary>Cancelled when the connection closes: nobody can receive the reply any more.</summary>
    public CancellationToken RequestAborted => Connection.Closing;

    /// <summary>The connection the call came in on.</summary>
    public DBusConnection Connection { get; }

    /// <summary>The call message.</summary>
    public Message Request { get; }

    /// <summary>The caller's unique bus name (stamped by the bus, so trustworthy).</summary>
    public string? Sender => Request.Sender;

    /// <summary>The called path.</summary>
    public string Path => Request.Path!;

    /// <summary>The called interface, if the caller named one.</summary>
    public string? Interface => Request.Interface;

    /// <summary>The called method.</summary>
    public string Member => Request.Member!;

    /// <summary>True if the caller wants no reply.</summary>
    public bool NoReplyExpected => Request.NoReplyExpected;

    /// <summary>True once a reply was sent (or suppressed).</summary>
    public bool HasReplied => Volatile.Read(ref _replied) != 0;

    /// <summary>True once <see cref="DeferReply"/> was called.</summary>
    public bool IsDeferred { get; private set; }

    /// <summary>Number of fds the call carried.</summary>
    public int UnixFdCount => Request.UnixFdCount;

    /// <summary>A reader over the call's arguments.</summary>
    public MessageReader GetBodyReader() => Request.GetBodyReader();

    /// <summary>Takes ownership of fd <paramref name="index"/> of the call.</summary>
    public SafeFileHandle TakeUnixFd(int index) => Request.TakeUnixFd(index);

    /// <summary>
    /// Says the handler will reply later, from its own task: the dispatch loop moves on to the next
    /// message when the handler returns instead of sending a default reply.
    /// </summary>
    public void DeferReply() => IsDeferred = true;

    /// <summary>Sends an empty method return.</summary>
    public void Reply() => Reply(string.Empty, null);

    /// <summary>Sends a method return with <paramref name="body"/> of type <paramref name="signature"/>.</summary>
    public void Reply(string signature, MessageWriter? body)
    {
        SendReply(new MessageHeader { Type = MessageType.MethodReturn, Signature = signature }, body);
    }

    /// <summary>Sends an error reply.</summary>
    public void ReplyError(string errorName, string message)
    {
        var body = new MessageWriter();
        body.WriteString(message);
        SendReply(new MessageHeader { Type = MessageType.Error, ErrorName = errorName, Signature = "s" }, body);
    }

    // Sends the one reply of this call, unless the caller asked for none.
    private void SendReply(MessageHeader header, MessageWriter? body)
    {
        if (Interlocked.Exchange(ref _replied, 1) != 0)
        {
            throw new InvalidOperationException($"a reply to {Interface}.{Member} was already sent");
        }
        if (NoReplyExpected)
        {
            return;
        }
        header.Serial = Connection.NextSerial();
        header.ReplySerial = Request.Serial;
        header.Destination = Request.Sender;
        Connection.Send(header, body);
    }
}
