using Concierge.Service.Api;
using Concierge.Service.DBus;
using Concierge.Service.Registry;
using Concierge.Service.Runtime;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;
using Microsoft.Extensions.Hosting;
using Serilog;
using Tmds.DBus.Protocol;

namespace Concierge.Service.Hosting;

/// <summary>
/// The service's life: open and reconcile the registry, connect to the bus, serve the objects,
/// take the bus name (DO_NOT_QUEUE: a second instance fails at once), READY=1, then STATUS= on
/// every change and the watchdog. On stop (SIGTERM): STOPPING=1, every VM stopped with reason
/// SERVICE_SHUTDOWN (guest asked, then escalation), name released, connection closed.
/// </summary>
public sealed class ConciergeHostedService : IHostedService, IAsyncDisposable
{
    /// <summary>The well-known bus name.</summary>
    public const string BusName = Contracts.ConciergeBus.ServiceName;

    private readonly ServiceOptions _options;
    private readonly IVmInstanceFactory _factory;
    private readonly ServiceNotifier _notifier;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private DBusConnection? _connection;
    private VmManager? _vms;
    private ServiceObjects? _objects;
    private Task _watchdog = Task.CompletedTask;
    private Task _memoryTrim = Task.CompletedTask;

    /// <summary>Creates the service.</summary>
    public ConciergeHostedService(ServiceOptions options, IVmInstanceFactory factory, ServiceNotifier notifier, IHostApplicationLifetime lifetime, ILogger log)
    {
        _options = options;
        _factory = factory;
        _notifier = notifier;
        _lifetime = lifetime;
        _log = log.ForContext<ConciergeHostedService>();
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var layout = new StorageLayout(_options.StateDirectory);
        var disks = new DiskImageStore(layout);
        var registry = VmRegistry.Open(layout, disks, TimeProvider.System, _log, out var report);
        _log.Information("Registry at {StateDirectory}: {VmCount} VMs; reconciled {StoppedVms} VMs left active, {RemovedPartialImages} partial images, {RemovedTempFiles} temp files",
            layout.Root, registry.List().Count, report.StoppedVms.Count, report.RemovedPartialImages.Count, report.RemovedTempFiles.Count);
        _vms = new VmManager(registry, layout, _factory, new SupervisorOptions(), TimeProvider.System, _log);
        var api = new ConciergeApi(_vms, disks, new VmDefinitionBuilder(new ImagePathPolicy(layout, _options.ImageDirectory)), layout);

        var address = _options.Address ?? "the system bus";
        _connection = new DBusConnection(_options.Address ?? DBusAddress.System
            ?? throw new InvalidOperationException("no system bus address (DBUS_SYSTEM_BUS_ADDRESS) and no --address"));
        await _connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        _objects = await ServiceObjects.ServeAsync(_connection, api, _log).ConfigureAwait(false);
        if (!await _connection.TryRequestNameAsync(BusName, RequestNameOptions.None).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"the bus name {BusName} is already owned; is another concierge running on {address}?");
        }
        _vms.Transitioned += (_, _) => _notifier.Status(StatusLine());
        _ = WatchBusAsync(_connection);
        _log.Information("Serving {BusName} as {UniqueName} on {Address}", BusName, _connection.UniqueName, address);
        _notifier.Ready(StatusLine());
        _memoryTrim = new MemoryTrim(_log).RunAsync(_stopping.Token);
        if (WatchdogSettings.Interval(Environment.GetEnvironmentVariable, Environment.ProcessId) is { } interval)
        {
            _log.Information("Watchdog every {Interval}, pinged at half of it after a liveness check", interval);
            _watchdog = new Watchdog(_connection, _vms, _notifier, interval, _log).RunAsync(_stopping.Token);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var active = _vms?.ActiveCount ?? 0;
        _notifier.Stopping($"Stopping {active} VMs");
        _log.Information("Service stopping: stopping {VmCount} VMs", active);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_vms is not null)
        {
            try
            {
                await _vms.StopEverythingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _log.Error("VMs did not stop within the shutdown timeout; killing what remains");
            }
        }
        await DisposeAsync().ConfigureAwait(false);
        _log.Information("Service stopped");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _objects?.Dispose();
        _objects = null;
        await IgnoreCancellation(_watchdog).ConfigureAwait(false);
        await IgnoreCancellation(_memoryTrim).ConfigureAwait(false);
        if (_vms is not null)
        {
            await _vms.DisposeAsync().ConfigureAwait(false);
        }
        _connection?.Dispose();
        _stopping.Dispose();
    }

    private string StatusLine()
    {
        var active = _vms?.ActiveCount ?? 0;
        return active == 1 ? "1 VM running" : $"{active} VMs running";
    }

    /// <summary>Losing the bus means losing every caller: stop with a failure so systemd restarts us.</summary>
    private async Task WatchBusAsync(DBusConnection connection)
    {
        var reason = await connection.DisconnectedAsync().ConfigureAwait(false);
        if (!_stopping.IsCancellationRequested)
        {
            _log.Fatal("Lost the bus connection: {Reason}; stopping", reason?.Message ?? "closed");
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
