using Concierge.Service.Errors;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;

namespace Concierge.Service.Api;

/// <summary>Stop, kill, suspend, resume, forget, and the service-wide stop.</summary>
public sealed partial class VmManager
{
    /// <summary>Stops <paramref name="key"/> with escalation; false when it had no active run.</summary>
    public async Task<bool> StopAsync(VmKey key, VmStopReason reason)
    {
        if (ActiveRun(key) is not { } run)
        {
            return false;
        }
        await run.Supervisor.StopAsync(reason).ConfigureAwait(false);
        return true;
    }

    /// <summary>Ends <paramref name="key"/> without asking the guest; false when it had no active run.</summary>
    public async Task<bool> KillAsync(VmKey key)
    {
        if (ActiveRun(key) is not { } run)
        {
            return false;
        }
        await run.Supervisor.KillAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Pauses <paramref name="key"/> (see <see cref="VmSupervisor.SuspendAsync"/>).</summary>
    public Task<PauseOutcome> SuspendAsync(VmKey key) => ActiveRun(key)?.Supervisor.SuspendAsync() ?? Task.FromResult(PauseOutcome.WrongState);

    /// <summary>Resumes <paramref name="key"/> (see <see cref="VmSupervisor.ResumeAsync"/>).</summary>
    public Task<PauseOutcome> ResumeAsync(VmKey key) => ActiveRun(key)?.Supervisor.ResumeAsync() ?? Task.FromResult(PauseOutcome.WrongState);

    /// <summary>The guest commands of <paramref name="key"/> while it is running; null otherwise.</summary>
    public IGuestCommands? RunningGuest(VmKey key) => ActiveRun(key)?.Supervisor.RunningGuest;

    /// <summary>Stops every active VM (of <paramref name="owner"/>, or all) in parallel, each with escalation.</summary>
    public async Task StopAllAsync(VmStopReason reason, uint? owner = null)
    {
        List<ManagedVm> runs;
        lock (_lock)
        {
            runs = [.. _runs.Where(r => r.Value.IsActive && (owner is null || r.Key.Owner == owner)).Select(r => r.Value)];
        }
        await Task.WhenAll(runs.Select(r => r.Supervisor.StopAsync(reason))).ConfigureAwait(false);
    }

    /// <summary>
    /// Refuses new starts from now on and stops every VM with reason <see cref="VmStopReason.ServiceShutdown"/>.
    /// </summary>
    public Task StopEverythingAsync()
    {
        _shuttingDown = true;
        return StopAllAsync(VmStopReason.ServiceShutdown);
    }

    /// <summary>
    /// Stops <paramref name="key"/> (reason <paramref name="reason"/>) if it runs and removes it from
    /// the registry; false when the registry did not know it.
    /// </summary>
    public async Task<bool> ForgetAsync(VmKey key, VmStopReason reason)
    {
        await StopAsync(key, reason).ConfigureAwait(false);
        lock (_lock)
        {
            if (ActiveRun(key) is not null)
            {
                throw new InvalidRequestException("name", $"VM {key.Name} was started again while being removed");
            }
            _runs.Remove(key);
            if (!_registry.Remove(key))
            {
                return false;
            }
            Forgotten?.Invoke(this, key);
        }
        _log.Information("VM {VmName} of {Owner} removed from the registry", key.Name, key.Owner);
        return true;
    }

    /// <summary>
    /// True when every active supervisor handles a queued barrier within <paramref name="timeout"/>
    /// (its loop is alive and not wedged); the watchdog pings only then.
    /// </summary>
    public async Task<bool> SupervisorsRespondAsync(TimeSpan timeout)
    {
        List<ManagedVm> runs;
        lock (_lock)
        {
            runs = [.. _runs.Values.Where(r => r.IsActive)];
        }
        try
        {
            await Task.WhenAll(runs.Select(r => r.Supervisor.SyncAsync())).WaitAsync(timeout, _time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Kills whatever still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        _shuttingDown = true;
        List<ManagedVm> runs;
        lock (_lock)
        {
            runs = [.. _runs.Values];
        }
        foreach (var run in runs)
        {
            await run.Supervisor.DisposeAsync().ConfigureAwait(false);
            run.Release();
        }
    }

    private ManagedVm? ActiveRun(VmKey key)
    {
        lock (_lock)
        {
            return _runs.TryGetValue(key, out var run) && run.IsActive ? run : null;
        }
    }
}
