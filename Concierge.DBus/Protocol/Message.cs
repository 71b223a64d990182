using Microsoft.Win32.SafeHandles;

namespace Concierge.DBus.Protocol;

/// <summary>
/// A received, fully validated message: header fields, the body bytes and any fds that came with it.
/// The message owns its fds until they are taken with <see cref="TakeUnixFd"/>; disposing the message
/// closes the ones nobody took (and their SafeHandles close them on finalization otherwise).
/// </summary>
public sealed class Message : IDisposable
{
    private readonly byte[] _body;
    private readonly SafeFileHandle?[] _unixFds;

    internal Message(MessageHeader header, byte[] body, SafeFileHandle?[] unixFds)
    {
        Header = header;
        _body = body;
        _unixFds = unixFds;
    }

    internal MessageHeader Header { get; }

    /// <summary>The message type.</summary>
    public MessageType Type => Header.Type;

    /// <summary>The header flags.</summary>
    public MessageFlags Flags => Header.Flags;

    /// <summary>The sender's serial.</summary>
    public uint Serial => Header.Serial;

    /// <summary>The object path (calls and signals).</summary>
    public string? Path => Header.Path;

    /// <summary>The interface, if given.</summary>
    public string? Interface => Header.Interface;

    /// <summary>The member (calls and signals).</summary>
    public string? Member => Header.Member;

    /// <summary>The error name (errors).</summary>
    public string? ErrorName => Header.ErrorName;

    /// <summary>The serial of the call this replies to; 0 when absent.</summary>
    public uint ReplySerial => Header.ReplySerial;

    /// <summary>The destination bus name, if any.</summary>
    public string? Destination => Header.Destination;

    /// <summary>The sender's unique name, as stamped by the bus.</summary>
    public string? Sender => Header.Sender;

    /// <summary>The body signature; empty for no body.</summary>
    public string Signature => Header.Signature;

    /// <summary>True if the caller asked for no reply.</summary>
    public bool NoReplyExpected => (Header.Flags & MessageFlags.NoReplyExpected) != 0;

    /// <summary>Number of fds that came with the message.</summary>
    public int UnixFdCount => _unixFds.Length;

    /// <summary>The body bytes, in the sender's endianness.</summary>
    public ReadOnlySpan<byte> Body => _body;

    /// <summary>A reader positioned at the start of the body.</summary>
    public MessageReader GetBodyReader() => new(_body, Header.BigEndian, this, (uint)_unixFds.Length);

    /// <summary>Takes ownership of fd number <paramref name="index"/>; each fd can be taken once.</summary>
    public SafeFileHandle TakeUnixFd(int index)
    {
        if ((uint)index >= (uint)_unixFds.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"the message carries {_unixFds.Length} fds");
        }
        var handle = Interlocked.Exchange(ref _unixFds[index], null);
        return handle ?? throw new InvalidOperationException($"fd {index} was already taken");
    }

    /// <summary>Closes the fds nobody took.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _unixFds.Length; i++)
        {
            Interlocked.Exchange(ref _unixFds[i], null)?.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Type} serial={Serial} path={Path} interface={Interface} member={Member} error={ErrorName} reply_serial={ReplySerial} sender={Sender} destination={Destination} signature={Signature}";
}
