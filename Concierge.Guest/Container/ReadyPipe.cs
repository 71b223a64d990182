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
    private readonly Pipe _pipe;

    private ReadyPipe(Pipe pipe) => _pipe = pipe;

    /// <summary>The end stage 2 inherits (not close-on-exec, unlike the read end).</summary>
    public int WriteFd => _pipe.WriteFd;

    public static ReadyPipe Create()
    {
        var pipe = Pipe.Create("create the container's ready pipe");
        try
        {
            NativeCallException.ThrowIfFailed(Libc.Fcntl(pipe.WriteFd, Libc.F_SETFD, 0), "let the container inherit its ready pipe");
            return new ReadyPipe(pipe);
        }
        catch
        {
            pipe.Dispose();
            throw;
        }
    }

    /// <summary>Stage 2's side: the write end closes when it execs the app (or exits).</summary>
    public static void CloseOnExec(int writeFd) =>
        NativeCallException.ThrowIfFailed(Libc.Fcntl(writeFd, Libc.F_SETFD, Libc.FD_CLOEXEC), "mark the ready pipe close-on-exec");

    /// <summary>Stage 1's side, after starting stage 2: blocks until stage 2 has exec'd or ended.</summary>
    public unsafe void WaitForEnd()
    {
        _pipe.CloseWriteEnd();
        byte buffer;
        nint read;
        // Stage 2 never writes; each read ends in end-of-file, EINTR or an error. Bounded by that.
        do
        {
            read = Libc.Read(_pipe.ReadFd, &buffer, 1);
        }
        while (read < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
    }

    public void Dispose() => _pipe.Dispose();
}
