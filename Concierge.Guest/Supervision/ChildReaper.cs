using System.Runtime.InteropServices;
using Concierge.Guest.Native;

namespace Concierge.Guest.Supervision;

/// <summary>
/// Collects every exited child so none stays a zombie, and completes the exit task of the
/// ones we track. As PID 1 (or a child subreaper) it reaps with waitpid(-1): orphans of
/// the whole system end up as our children. In a process that also uses
/// System.Diagnostics.Process (the test runner) it must only wait for its own pids, or it
/// would steal the runtime's children: that is <see cref="ReapAll"/> false.
/// A dedicated thread waits for SIGCHLD (with a timeout, so a coalesced or missed signal
/// costs at most one poll interval, never a leaked zombie).
/// </summary>
internal sealed class ChildReaper : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<int, TaskCompletionSource<ExitStatus>> _tracked = [];
    private readonly AutoResetEvent _wake = new(false);
    private readonly PosixSignalRegistration _sigchld;
    private readonly Thread _thread;
    private volatile bool _disposed;
    private bool _hasChildren = true;

    public ChildReaper(bool reapAll)
    {
        ReapAll = reapAll;
        _sigchld = OperatingSystem.IsWindows()
            ? throw new PlatformNotSupportedException("reaping children is a Unix thing")
            : PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => _wake.Set());
        _thread = new Thread(Run) { IsBackground = true, Name = "reaper" };
        _thread.Start();
    }

    /// <summary>True when every child is reaped, not only tracked ones.</summary>
    public bool ReapAll { get; }

    /// <summary>Raised (on the reaper thread) for a reaped child nobody tracked, e.g. an orphan.</summary>
    public event Action<int, ExitStatus>? UntrackedReaped;

    /// <summary>
    /// Runs <paramref name="spawn"/> (which returns the new pid) and tracks the pid, without
    /// letting the reaper run in between: the child may exit before spawn even returns.
    /// </summary>
    public (int Pid, Task<ExitStatus> Exited) SpawnTracked(Func<int> spawn)
    {
        ArgumentNullException.ThrowIfNull(spawn);
        lock (_lock)
        {
            var pid = spawn();
            var completion = new TaskCompletionSource<ExitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            _tracked[pid] = completion;
            _hasChildren = true;
            _wake.Set();
            return (pid, completion.Task);
        }
    }

    /// <summary>Pids started through <see cref="SpawnTracked"/> that have not been reaped yet.</summary>
    public int[] TrackedPids()
    {
        lock (_lock)
        {
            return [.. _tracked.Keys];
        }
    }

    /// <summary>
    /// Waits until no child is left (any child when reaping all, tracked ones otherwise),
    /// or the timeout passes. Returns true when none is left.
    /// </summary>
    public async Task<bool> WaitForNoChildrenAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            _wake.Set();
            lock (_lock)
            {
                if (_tracked.Count == 0 && (!ReapAll || !_hasChildren))
                {
                    return true;
                }
            }
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private void Run()
    {
        while (!_disposed)
        {
            foreach (var (pid, status) in ReapAvailable())
            {
                UntrackedReaped?.Invoke(pid, status);
            }
            _wake.WaitOne(PollInterval);
        }
    }

    private List<(int Pid, ExitStatus Status)> ReapAvailable()
    {
        var untracked = new List<(int, ExitStatus)>();
        lock (_lock)
        {
            if (ReapAll)
            {
                // Bounded: each successful waitpid removes one zombie, and there are finitely many.
                while (true)
                {
                    var pid = Libc.Waitpid(-1, out var status, Libc.WNOHANG);
                    if (pid > 0)
                    {
                        Complete(pid, status, untracked);
                        continue;
                    }
                    _hasChildren = pid == 0 || Marshal.GetLastPInvokeError() != Errno.ECHILD;
                    break;
                }
            }
            else
            {
                foreach (var pid in _tracked.Keys.ToArray())
                {
                    if (Libc.Waitpid(pid, out var status, Libc.WNOHANG) == pid)
                    {
                        Complete(pid, status, untracked);
                    }
                }
            }
        }
        return untracked;
    }

    private void Complete(int pid, int status, List<(int, ExitStatus)> untracked)
    {
        var exit = ExitStatus.FromWaitStatus(status);
        if (_tracked.Remove(pid, out var completion))
        {
            completion.TrySetResult(exit);
        }
        else
        {
            untracked.Add((pid, exit));
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _wake.Set();
        _thread.Join();
        _sigchld.Dispose();
        _wake.Dispose();
    }
}
