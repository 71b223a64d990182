using Concierge.Service.Vms;
using Serilog;
using Tmds.DBus.Protocol;

namespace Concierge.Service.Hosting;

/// <summary>
/// Pings the systemd watchdog at half its interval, but only after proving the service works: a
/// Peer.Ping to our own unique name travels through the bus and our dispatch loop, and every
/// supervisor loop handles a barrier. A wedged loop therefore stops the pings and systemd
/// restarts the service, which a timer alone would never do.
/// </summary>
public sealed class Watchdog
{
    private readonly DBusConnection _connection;
    private readonly VmManager _vms;
    private readonly ServiceNotifier _notifier;
    private readonly ILogger _log;
    private readonly TimeSpan _period;

    /// <summary>Creates the pinger for an <paramref name="interval"/> watchdog.</summary>
    public Watchdog(DBusConnection connection, VmManager vms, ServiceNotifier notifier, TimeSpan interval, ILogger log)
    {
        _connection = connection;
        _vms = vms;
        _notifier = notifier;
        _period = interval / 2;
        _log = log.ForContext<Watchdog>();
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_period);
        do
        {
            if (await IsAliveAsync(cancellationToken).ConfigureAwait(false))
            {
                _notifier.Watchdog();
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>True when the D-Bus loop and every supervisor answered within half a period.</summary>
    public async Task<bool> IsAliveAsync(CancellationToken cancellationToken)
    {
        var budget = _period / 2;
        try
        {
            // ForceYielding: off the library's receive loop, where its replies complete.
            await _connection.CallMethodAsync(SelfPing()).WaitAsync(budget, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        catch (Exception e) when (e is DBusExceptionBase or TimeoutException)
        {
            _log.Warning("Watchdog: the D-Bus loop did not answer our own ping ({Error}); not pinging systemd", e.Message);
            return false;
        }
        if (!await _vms.SupervisorsRespondAsync(budget).ConfigureAwait(false))
        {
            _log.Warning("Watchdog: a VM supervisor did not answer within {Budget}; not pinging systemd", budget);
            return false;
        }
        return true;
    }

    private MessageBuffer SelfPing()
    {
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(_connection.UniqueName, "/", "org.freedesktop.DBus.Peer", "Ping", null, MessageFlags.None);
        return writer.CreateMessage();
    }
}
