using Concierge.Guest.Native;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Guest.Link;

/// <summary>
/// A connected stream socket made outside System.Net.Sockets (vsock) as a Stream: an
/// unbuffered FileStream reads and writes the fd with read(2)/write(2), and a read may wait
/// while a write goes on, which the link needs (it reads commands and writes heartbeats at
/// the same time).
/// </summary>
/// <remarks>
/// It wraps the FileStream rather than deriving from it: a derived FileStream runs its async
/// calls through Stream's Begin/End pair, which lets only one run at a time, so a pending read
/// would hold every write back. Such a read blocks a pool thread in read(2) and ignores its
/// cancellation token, and closing the fd would not wake it: disposing shuts the socket down
/// first, which ends a pending read with end-of-stream.
/// </remarks>
internal sealed class SocketFileStream : Stream
{
    private readonly SafeFileHandle _socket;
    private readonly FileStream _stream;

    private SocketFileStream(SafeFileHandle socket)
    {
        _socket = socket;
        _stream = new FileStream(socket, FileAccess.ReadWrite, bufferSize: 0);
    }

    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public static SocketFileStream Open(int fd) => new(new SafeFileHandle(fd, ownsHandle: true));

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => _stream.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _stream.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _stream.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _stream.WriteAsync(buffer, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_socket.IsClosed)
        {
            _ = Libc.Shutdown((int)_socket.DangerousGetHandle(), Libc.SHUT_RDWR);
            _stream.Dispose();
        }
        base.Dispose(disposing);
    }
}
