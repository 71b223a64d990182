using Concierge.Guest.Config;
using Concierge.Guest.Native;
using Concierge.GuestLink.Protocol;

namespace Concierge.Guest.Supervision;

/// <summary>
/// Starts the configured services and watches each one: reports every exit, respawns
/// those marked so while their <see cref="RestartBudget"/> lasts (then gives up and says
/// so), and asks for an orderly shutdown when a shutdown-on-exit service ends.
/// </summary>
internal sealed class Supervisor(ProcessSpawner spawner, SupervisorOptions options)
{
    private readonly List<Task> _watchers = [];
    private volatile bool _stopping;

    /// <summary>Starts every service, in order.</summary>
    public void StartAll(IEnumerable<ServiceConfig> services)
    {
        foreach (var service in services)
        {
            _watchers.Add(WatchAsync(service));
        }
    }

    /// <summary>From now on exits are reported but nothing is respawned (shutdown is under way).</summary>
    public void StopRespawning() => _stopping = true;

    /// <summary>Completes once every service has ended for good and its exit has been reported.</summary>
    public Task Ended => Task.WhenAll(_watchers);

    private async Task WatchAsync(ServiceConfig service)
    {
        var budget = new RestartBudget(options.MaxRestarts, options.RestartWindow, options.Time);
        // Bounded by the budget: every pass either returns or spends one restart.
        while (true)
        {
            await Task.Yield();
            var (pid, exit) = await RunOnceAsync(service);
            var respawn = service.Respawn && !_stopping && budget.TryRestart();
            var gaveUp = service.Respawn && !_stopping && !respawn;
            options.Report(new ProcessExited
            {
                Name = service.Name,
                Pid = pid,
                Status = exit.Status,
                Code = exit.Code,
                GaveUp = gaveUp,
                Respawning = respawn,
            });
            if (gaveUp)
            {
                Log.Error($"service {service.Name}: {exit}; gave up after {budget.MaxRestarts} restarts in {budget.Window.TotalSeconds} s");
            }
            else
            {
                Log.Info($"service {service.Name} (pid {pid}): {exit}{(respawn ? "; respawning" : "")}");
            }
            if (respawn)
            {
                continue;
            }
            if (service.ShutdownOnExit && !_stopping)
            {
                options.RequestShutdown($"{service.Name} exited");
            }
            return;
        }
    }

    private async Task<(int Pid, ExitStatus Exit)> RunOnceAsync(ServiceConfig service)
    {
        try
        {
            var child = spawner.Start(options.BuildArgv(service), service.Env.Length > 0 ? service.Env : options.DefaultEnvironment, captureOutput: false);
            Log.Info($"service {service.Name} started (pid {child.Pid})");
            return (child.Pid, await child.Exited);
        }
        catch (NativeCallException e)
        {
            Log.Error($"service {service.Name}: {e.Message}");
            return (0, new ExitStatus(ProcessStatus.Failed, e.Errno));
        }
    }
}
