using Microsoft.Win32.SafeHandles;

namespace Concierge.Guest.Link;

/// <summary>
/// A connected stream socket made outside System.Net.Sockets (vsock) as a Stream: a
/// FileStream without buffering reads and writes the fd with read(2)/write(2), and a read
/// may wait while a write goes on, which the link needs (it reads commands and writes
/// heartbeats at the same time).
/// </summary>
internal static class SocketFileStream
{
    /// <summary>Takes ownership of <paramref name="fd"/>.</summary>
    public static FileStream Open(int fd) =>
        new(new SafeFileHandle(fd, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
}
