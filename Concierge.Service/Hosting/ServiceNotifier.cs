using Microsoft.Extensions.Hosting.Systemd;

namespace Concierge.Service.Hosting;

/// <summary>
/// sd_notify through Microsoft.Extensions.Hosting.Systemd's notifier (one datagram to
/// NOTIFY_SOCKET per message; nothing happens when it is unset). The package itself only sends
/// READY=1/STOPPING=1 when it detects systemd as the parent, which tests and wrappers are not, so
/// the service sends every state itself.
/// </summary>
public sealed class ServiceNotifier
{
    private readonly SystemdNotifier _notifier = new();

    /// <summary>True when NOTIFY_SOCKET is set.</summary>
    public bool IsEnabled => _notifier.IsEnabled;

    /// <summary>READY=1 with a status line.</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    /// <summary>STATUS=...</summary>
    public void Status(string status) => Send($"STATUS={status}");

    /// <summary>WATCHDOG=1.</summary>
    public void Watchdog() => Send("WATCHDOG=1");

    /// <summary>STOPPING=1 with a status line.</summary>
    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={status}");

    private void Send(string state)
    {
        if (_notifier.IsEnabled)
        {
            _notifier.Notify(new ServiceState(state.Replace("\r", "", StringComparison.Ordinal)));
        }
    }
}
