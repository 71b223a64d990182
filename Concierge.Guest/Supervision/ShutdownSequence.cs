using Concierge.Guest.Native;

namespace Concierge.Guest.Supervision;

/// <summary>
/// The orderly end: stop respawning, SIGTERM everyone, wait up to the grace period while
/// reaping, SIGKILL whoever is left, sync. As PID 1 "everyone" is kill(-1) (every process
/// but us, containers included); otherwise only our own children's process groups, so a
/// supervisor run on a developer's machine never signals anything it did not start.
/// Unmounting and power-off are the boot sequence's, which runs after this.
/// </summary>
internal sealed class ShutdownSequence(ChildReaper reaper, Supervisor supervisor, bool isPid1)
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(2);

    public async Task RunAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        supervisor.StopRespawning();
        SignalAll(Libc.SIGTERM);
        if (!await reaper.WaitForNoChildrenAsync(grace, cancellationToken))
        {
            Log.Warn($"shutdown: processes still running after {grace.TotalMilliseconds} ms; sending SIGKILL");
            SignalAll(Libc.SIGKILL);
            if (!await reaper.WaitForNoChildrenAsync(KillWait, cancellationToken))
            {
                Log.Error("shutdown: processes survived SIGKILL (stuck in the kernel?)");
            }
        }
        await ReportServiceExitsAsync(cancellationToken);
        Libc.Sync();
        Log.Info("shutdown: all processes ended, file systems synced");
    }

    /// <summary>
    /// The reaper has reaped the services, but their watchers log the exits and send them to the
    /// host on the thread pool: let them finish before the init goes on to power off.
    /// </summary>
    private async Task ReportServiceExitsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await supervisor.Ended.WaitAsync(KillWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            Log.Warn($"shutdown: service exits not all reported within {KillWait.TotalSeconds} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Error($"shutdown: reporting a service exit failed: {e.Message}");
        }
    }

    private void SignalAll(int signal)
    {
        if (isPid1)
        {
            Libc.Kill(-1, signal);
            return;
        }
        foreach (var pid in reaper.TrackedPids())
        {
            // Each child leads its own session and process group (POSIX_SPAWN_SETSID).
            if (Libc.Kill(-pid, signal) != 0)
            {
                Libc.Kill(pid, signal);
            }
        }
    }
}
