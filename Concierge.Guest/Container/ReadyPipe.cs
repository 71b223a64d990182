using System.Runtime.InteropServices;
using Concierge.Guest.Native;

namespace Concierge.Guest.Container;

/// <summary>
/// How stage 2 tells stage 1 that the container is set up, without any code of its own at
/// that moment: stage 2 inherits the write end and marks it close-on-exec first thing, so the
/// execve that makes it the app closes it, as does any failure that ends it. Stage 1 closes its
/// own copy of the write end and reads until end-of-file.
/// </summary>
internal sealed class ReadyPipe : IDisposable
{
    private int _readFd;
    private int _writeFd;

    private ReadyPipe(int readFd, int writeFd)
    {
        _readFd = readFd;
        _writeFd = writeFd;
    }

    /// <summary>The end stage 2 inherits (not close-on-exec, unlike the read end).</summary>
    public int WriteFd => _writeFd;

    public static unsafe ReadyPipe Create()
    {
        var fds = stackalloc int[2];
        NativeCallException.ThrowIfFailed(Libc.Pipe2(fds, Libc.O_CLOEXEC), "create the container's ready pipe");
        var pipe = new ReadyPipe(fds[0], fds[1]);
        NativeCallException.ThrowIfFailed(Libc.Fcntl(fds[1], Libc.F_SETFD, 0), "let the container inherit its ready pipe");
        return pipe;
    }

    /// <summary>Stage 2's side: the write end closes when it execs the app (or exits).</summary>
    public static void CloseOnExec(int writeFd) =>
        NativeCallException.ThrowIfFailed(Libc.Fcntl(writeFd, Libc.F_SETFD, Libc.FD_CLOEXEC), "mark the ready pipe close-on-exec");

    /// <summary>Stage 1's side, after starting stage 2: blocks until stage 2 has exec'd or ended.</summary>
    public unsafe void WaitForEnd()
    {
        Close(ref _writeFd);
        byte buffer;
        nint read;
        // Stage 2 never writes; each read ends in end-of-file, EINTR or an error. Bounded by that.
        do
        {
            read = Libc.Read(_readFd, &buffer, 1);
        }
        while (read < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
    }

    public void Dispose()
    {
        Close(ref _readFd);
        Close(ref _writeFd);
    }

    private static void Close(ref int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
            fd = -1;
        }
    }
}
