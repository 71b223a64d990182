using System.Runtime.InteropServices;
using Concierge.Guest.Native;

namespace Concierge.Guest.Supervision;

/// <summary>
/// Collects every exited child so none stays a zombie, and completes the exit task of the
/// ones we track. It runs one of two ways, chosen by <see cref="ReapAll"/>:
/// <list type="bullet">
/// <item>Reaping all (PID 1, or a child subreaper): orphans of the whole system end up as our
/// children, so a dedicated thread blocks in waitpid(-1). It never registers for SIGCHLD:
/// once anything does, .NET's own signal thread reaps every child of a PID 1 itself (so that
/// a .NET app run as a container's init leaves no zombies), and the statuses Exec and the
/// supervisor wait for would be lost to it.</item>
/// <item>Reaping only tracked pids: in a process that also uses System.Diagnostics.Process
/// (the test runner) waitpid(-1) would steal the runtime's children. The thread waits for
/// SIGCHLD and then asks each tracked pid.</item>
/// </list>
/// Either way an idle wait has a timeout, so a coalesced or missed wake-up costs at most one
/// poll interval, never a leaked zombie.
/// </summary>
internal sealed class ChildReaper : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Guards <see cref="_tracked"/>; also the monitor the thread sleeps on.</summary>
    private readonly object _gate = new();
    private readonly Dictionary<int, TaskCompletionSource<ExitStatus>> _tracked = [];
    private readonly PosixSignalRegistration? _sigchld;
    private readonly Thread _thread;
    private volatile bool _disposed;

    /// <summary>A wake-up that came while the thread was not sleeping (guarded by the gate): the next sleep returns at once.</summary>
    private bool _wakePending;

    public ChildReaper(bool reapAll)
    {
        ReapAll = reapAll;
        if (!reapAll)
        {
            _sigchld = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => Wake());
        }
        _thread = new Thread(reapAll ? ReapAllChildren : ReapTrackedChildren) { IsBackground = true, Name = "reaper" };
        _thread.Start();
    }

    /// <summary>True when every child is reaped, not only tracked ones.</summary>
    public bool ReapAll { get; }

    /// <summary>Raised (on the reaper thread) for a reaped child nobody tracked, e.g. an orphan.</summary>
    public event Action<int, ExitStatus>? UntrackedReaped;

    /// <summary>
    /// Runs <paramref name="spawn"/> (which returns the new pid) and tracks the pid, holding the
    /// lock the reaper needs to report a pid from before the spawn until the pid is tracked:
    /// a child that exits before spawn even returns still reaches its waiter.
    /// </summary>
    public (int Pid, Task<ExitStatus> Exited) SpawnTracked(Func<int> spawn)
    {
        ArgumentNullException.ThrowIfNull(spawn);
        lock (_gate)
        {
            var pid = spawn();
            var completion = new TaskCompletionSource<ExitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            _tracked[pid] = completion;
            WakeLocked();
            return (pid, completion.Task);
        }
    }

    /// <summary>Pids started through <see cref="SpawnTracked"/> that have not been reaped yet.</summary>
    public int[] TrackedPids()
    {
        lock (_gate)
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
        while (!NoChildrenLeft())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
        return true;
    }

    private bool NoChildrenLeft()
    {
        lock (_gate)
        {
            return _tracked.Count == 0 && (!ReapAll || !AnyChildExists());
        }
    }

    /// <summary>Whether any child, running or a zombie not yet reaped, exists (waitid with WNOWAIT reaps nothing).</summary>
    private static unsafe bool AnyChildExists()
    {
        var info = stackalloc byte[Libc.SiginfoBytes];
        return Libc.Waitid(Libc.P_ALL, 0, info, Libc.WEXITED | Libc.WNOHANG | Libc.WNOWAIT) == 0
            || Marshal.GetLastPInvokeError() != Errno.ECHILD;
    }

    private void ReapAllChildren()
    {
        while (!_disposed)
        {
            // Blocks until any child ends, without the lock, so spawning goes on meanwhile.
            var pid = Libc.Waitpid(-1, out var status, 0);
            if (pid > 0)
            {
                Report(pid, status);
            }
            else if (Marshal.GetLastPInvokeError() != Errno.EINTR)
            {
                // ECHILD, no children: sleep until a spawn, or one poll interval for orphans adopted meanwhile.
                Sleep();
            }
        }
    }

    private void ReapTrackedChildren()
    {
        while (!_disposed)
        {
            foreach (var pid in TrackedPids())
            {
                if (Libc.Waitpid(pid, out var status, Libc.WNOHANG) == pid)
                {
                    Report(pid, status);
                }
            }
            Sleep();
        }
    }

    private void Report(int pid, int status)
    {
        var exit = ExitStatus.FromWaitStatus(status);
        TaskCompletionSource<ExitStatus>? completion;
        lock (_gate)
        {
            _tracked.Remove(pid, out completion);
        }
        if (completion is not null)
        {
            completion.TrySetResult(exit);
        }
        else
        {
            UntrackedReaped?.Invoke(pid, exit);
        }
    }

    private void Sleep()
    {
        lock (_gate)
        {
            if (!_disposed && !_wakePending)
            {
                Monitor.Wait(_gate, PollInterval);
            }
            _wakePending = false;
        }
    }

    private void Wake()
    {
        lock (_gate)
        {
            WakeLocked();
        }
    }

    private void WakeLocked()
    {
        _wakePending = true;
        Monitor.PulseAll(_gate);
    }

    /// <summary>
    /// Stops the thread. When reaping all it may be blocked in waitpid for a child that is
    /// still running: it is a background thread and ends with that child or the process, so
    /// disposing does not wait for it then.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        Wake();
        _sigchld?.Dispose();
        if (!ReapAll)
        {
            _thread.Join();
        }
    }
}
