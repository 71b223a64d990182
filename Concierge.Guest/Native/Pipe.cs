using Microsoft.Win32.SafeHandles;

namespace Concierge.Guest.Native;

/// <summary>
/// A close-on-exec pipe whose write end goes to a child and whose read end stays here. Each end
/// is closed at most once; an end handed over (<see cref="OpenReadStream"/>) is no longer ours.
/// </summary>
internal sealed class Pipe : IDisposable
{
    private int _readFd;
    private int _writeFd;

    private Pipe(int readFd, int writeFd)
    {
        _readFd = readFd;
        _writeFd = writeFd;
    }

    public int ReadFd => _readFd;

    public int WriteFd => _writeFd;

    /// <param name="step">What the pipe is for, for the error when it cannot be made.</param>
    public static unsafe Pipe Create(string step)
    {
        var fds = stackalloc int[2];
        NativeCallException.ThrowIfFailed(Libc.Pipe2(fds, Libc.O_CLOEXEC), step);
        return new Pipe(fds[0], fds[1]);
    }

    /// <summary>The read end as an unbuffered stream, which then owns it.</summary>
    public FileStream OpenReadStream()
    {
        var handle = new SafeFileHandle(_readFd, ownsHandle: true);
        _readFd = -1;
        return new FileStream(handle, FileAccess.Read, bufferSize: 0);
    }

    public void CloseReadEnd() => CloseFd(ref _readFd);

    public void CloseWriteEnd() => CloseFd(ref _writeFd);

    public void Dispose()
    {
        CloseReadEnd();
        CloseWriteEnd();
    }

    private static void CloseFd(ref int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
            fd = -1;
        }
    }
}
