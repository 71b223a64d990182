using System.Text;
using Concierge.DBus.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Concierge.DBus.Transport;

/// <summary>
/// Frames the byte stream into SASL lines and then messages. The receive buffer grows only as
/// bytes actually arrive (at most doubling), so a header claiming a huge message costs nothing until
/// the peer really sends it, and never more than the 128 MiB limit. Received fds queue here in
/// arrival order and each message claims exactly the count its header declares.
/// </summary>
internal sealed class MessageStream
{
    private const int MaxAuthLine = 512;
    private const int MaxQueuedFds = ProtocolLimits.MaxUnixFdsPerMessage * 2;

    private readonly UnixSocketTransport _transport;
    private readonly List<SafeFileHandle> _fds = [];
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public MessageStream(UnixSocketTransport transport)
    {
        _transport = transport;
    }

    /// <summary>Reads one CRLF-terminated ASCII line of the authentication exchange.</summary>
    public string ReadLine()
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf("\r\n"u8);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(pending[..newline]);
                _start += newline + 2;
                return line;
            }
            if (pending.Length >= MaxAuthLine)
            {
                throw new DBusProtocolException("authentication line too long");
            }
            Fill(MaxAuthLine);
        }
    }

    /// <summary>Reads the next complete message; null at a clean end of stream between messages.</summary>
    public Message? ReadMessage()
    {
        while (_end - _start < MessageParser.FixedHeaderLength)
        {
            if (!TryFill(MessageParser.FixedHeaderLength))
            {
                return _end == _start ? null : throw new DBusProtocolException("stream ended inside a message header");
            }
        }
        var length = MessageParser.GetMessageLength(_buffer.AsSpan(_start, MessageParser.FixedHeaderLength));
        while (_end - _start < length)
        {
            if (!TryFill(length))
            {
                throw new DBusProtocolException("stream ended inside a message");
            }
        }
        var message = MessageParser.Parse(_buffer.AsSpan(_start, length), TakeFds);
        _start += length;
        return message;
    }

    /// <summary>Closes fds that arrived but were never claimed (connection teardown).</summary>
    public void DiscardFds()
    {
        foreach (var fd in _fds)
        {
            fd.Dispose();
        }
        _fds.Clear();
    }

    private SafeFileHandle[] TakeFds(int count)
    {
        if (count > _fds.Count)
        {
            throw new DBusProtocolException($"message declares {count} fds but {_fds.Count} arrived with it");
        }
        var taken = _fds.GetRange(0, count).ToArray();
        _fds.RemoveRange(0, count);
        return taken;
    }

    private void Fill(int needed)
    {
        if (!TryFill(needed))
        {
            throw new DBusProtocolException("connection closed during authentication");
        }
    }

    // Makes room for `needed` bytes from _start, growing only when the buffer is full of real data.
    private bool TryFill(int needed)
    {
        if (_start > 0 && (_buffer.Length - _start < needed || _start == _end))
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            var grown = (int)Math.Min(Math.Max(needed, 0L + _buffer.Length), _buffer.Length * 2L);
            Array.Resize(ref _buffer, Math.Max(grown, _buffer.Length + 1));
        }
        var received = _transport.Receive(_buffer.AsSpan(_end), _fds);
        if (_fds.Count > MaxQueuedFds)
        {
            throw new DBusProtocolException("peer sent more fds than its messages claim");
        }
        _end += received;
        return received > 0;
    }
}
