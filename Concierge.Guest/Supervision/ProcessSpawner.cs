using Concierge.Guest.Native;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Guest.Supervision;

/// <summary>
/// Starts supervised children with <see cref="PosixSpawn"/> (never fork: a .NET process
/// must not run managed code in a forked copy of itself), optionally with their output
/// piped back, and hands their pids to the <see cref="ChildReaper"/>.
/// </summary>
internal sealed class ProcessSpawner(ChildReaper reaper)
{
    /// <summary>
    /// Starts <paramref name="argv"/> (argv[0] is looked up in PATH when it has no slash)
    /// with exactly <paramref name="environment"/> ("NAME=value" strings), in a new session.
    /// Standard input is /dev/null when output is captured; otherwise all three are
    /// inherited (the console).
    /// </summary>
    /// <exception cref="NativeCallException">The program could not be started.</exception>
    public ChildProcess Start(IReadOnlyList<string> argv, IReadOnlyList<string> environment, bool captureOutput)
    {
        var stdout = captureOutput ? Pipe.Create() : null;
        var stderr = captureOutput ? Pipe.Create() : null;
        try
        {
            using var devNull = captureOutput ? NativeFile.Open("/dev/null", 0) : null;
            (int, int, int)? redirect = captureOutput ? ((int)devNull!.DangerousGetHandle(), stdout!.WriteFd, stderr!.WriteFd) : null;
            var (pid, exited) = reaper.SpawnTracked(() => PosixSpawn.Start(argv, environment, newSession: true, redirect));
            return new ChildProcess(pid, exited, stdout?.OpenReadStream(), stderr?.OpenReadStream());
        }
        catch
        {
            stdout?.CloseReadEnd();
            stderr?.CloseReadEnd();
            throw;
        }
        finally
        {
            stdout?.CloseWriteEnd();
            stderr?.CloseWriteEnd();
        }
    }

    /// <summary>A close-on-exec pipe whose write end goes to the child and read end stays here.</summary>
    private sealed class Pipe
    {
        private int _readFd;
        private int _writeFd;

        private Pipe(int readFd, int writeFd)
        {
            _readFd = readFd;
            _writeFd = writeFd;
        }

        public int WriteFd => _writeFd;

        public static unsafe Pipe Create()
        {
            var fds = stackalloc int[2];
            NativeCallException.ThrowIfFailed(Libc.Pipe2(fds, Libc.O_CLOEXEC), "create output pipe");
            return new Pipe(fds[0], fds[1]);
        }

        public FileStream OpenReadStream()
        {
            var handle = new SafeFileHandle(_readFd, ownsHandle: true);
            _readFd = -1;
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }

        public void CloseReadEnd() => CloseFd(ref _readFd);

        public void CloseWriteEnd() => CloseFd(ref _writeFd);

        private static void CloseFd(ref int fd)
        {
            if (fd >= 0)
            {
                _ = Libc.Close(fd);
                fd = -1;
            }
        }
    }
}
