using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Concierge.Guest.Config;
using Concierge.Guest.Link;
using Concierge.GuestLink.Protocol;

namespace Concierge.Guest.Supervision;

/// <summary>
/// The init's life after boot, the same as PID 1 and as "supervise": start the services,
/// keep the host link, carry out the host's commands, and on a shutdown request (host,
/// SIGTERM/SIGINT, or a shutdown-on-exit service ending) run the <see cref="ShutdownSequence"/>.
/// </summary>
internal sealed class InitRuntime
{
    private readonly InitConfig _config;
    private readonly RuntimeOptions _options;
    private readonly TaskCompletionSource<(string Reason, TimeSpan Grace)> _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _specPath;
    private HostLink? _link;

    public InitRuntime(InitConfig config, RuntimeOptions options)
    {
        _config = config;
        _options = options;
        if (config.Container is not null)
        {
            _specPath = Path.Combine(options.RunDirectory, "container.json");
        }
    }

    /// <summary>Runs until the orderly shutdown has ended every process; returns the reason.</summary>
    public async Task<string> RunAsync()
    {
        Directory.CreateDirectory(_options.RunDirectory);
        if (_specPath is not null)
        {
            await File.WriteAllTextAsync(_specPath, JsonSerializer.Serialize(_config.Container!, ConfigJsonContext.Default.ContainerConfig));
        }
        using var reaper = new ChildReaper(reapAll: true);
        reaper.UntrackedReaped += (pid, status) => Log.Info($"reaped orphan {pid}: {status}");
        var spawner = new ProcessSpawner(reaper);
        var supervisor = new Supervisor(spawner, new SupervisorOptions
        {
            MaxRestarts = _config.MaxRestarts,
            RestartWindow = TimeSpan.FromSeconds(_config.RestartWindowSeconds),
            BuildArgv = BuildServiceArgv,
            Report = exited => _link?.Post(new GuestMessage { ProcessExited = exited }),
            RequestShutdown = reason => RequestShutdown(reason, null),
        });
        using var linkCancellation = new CancellationTokenSource();
        var linkTask = StartLink(spawner, linkCancellation.Token);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        supervisor.StartAll(_config.Services);
        var (reason, grace) = await _shutdown.Task;
        Log.Info($"shutdown: {reason}");
        if (_link is not null)
        {
            _link.Post(new GuestMessage { ShutdownStarted = new ShutdownStarted { Reason = reason } });
            await _link.DrainAsync(TimeSpan.FromSeconds(1));
        }
        await new ShutdownSequence(reaper, supervisor, _options.IsPid1).RunAsync(grace, CancellationToken.None);
        await linkCancellation.CancelAsync();
        await linkTask;
        return reason;
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        RequestShutdown($"signal {context.Signal}", null);
    }

    private void RequestShutdown(string reason, TimeSpan? grace) =>
        _shutdown.TrySetResult((reason, grace ?? TimeSpan.FromMilliseconds(_config.ShutdownGraceMs)));

    private Task StartLink(ProcessSpawner spawner, CancellationToken cancellationToken)
    {
        if (_options.HostLink is null)
        {
            return Task.CompletedTask;
        }
        var agent = new GuestAgent(spawner, new GuestAgentOptions
        {
            HeartbeatInterval = _options.HeartbeatInterval,
            Timeout = TimeSpan.FromMilliseconds(_config.ExecTimeoutMs),
            OutputLimitBytes = _config.ExecOutputLimitBytes,
            WrapExec = WrapExec,
        }, request => RequestShutdown("host request", request.GraceMs > 0 ? TimeSpan.FromMilliseconds(request.GraceMs) : null));
        _link = new HostLink(HostTransports.Parse(_options.HostLink), agent, new HostLinkOptions { HeartbeatInterval = _options.HeartbeatInterval });
        return Task.Run(async () =>
        {
            try
            {
                await _link.RunAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutdown: the link ends with the guest.
            }
        }, CancellationToken.None);
    }

    private string[] BuildServiceArgv(ServiceConfig service) =>
        service.InContainer
            ? SelfCommand.Argv(["container-run", "--spec", _specPath!, "--pid-file", PidFile(service), "--", .. service.Argv])
            : service.Argv;

    /// <summary>Exec runs in the container of the first in-container service when there is one, else directly in the guest.</summary>
    private IReadOnlyList<string> WrapExec(IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        var app = _config.Services.FirstOrDefault(s => s.InContainer);
        if (app is null)
        {
            return argv;
        }
        string pid;
        try
        {
            pid = File.ReadAllText(PidFile(app)).Trim();
        }
        catch (IOException)
        {
            throw new InvalidOperationException($"the container of {app.Name} is not running");
        }
        if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new InvalidOperationException($"the pid file of {app.Name} holds '{pid}'");
        }
        var envArguments = environment.SelectMany(e => new[] { "--env", e });
        return SelfCommand.Argv(["container-exec", "--spec", _specPath!, "--target", pid, .. envArguments, "--", .. argv]);
    }

    private string PidFile(ServiceConfig service) => Path.Combine(_options.RunDirectory, service.Name + ".pid");
}
