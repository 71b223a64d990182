using System.Globalization;

namespace Concierge.Service.Hosting;

/// <summary>
/// The systemd watchdog as the environment configures it (WatchdogSec= sets WATCHDOG_USEC and
/// WATCHDOG_PID): honoured only when WATCHDOG_PID is unset or names this process.
/// </summary>
public static class WatchdogSettings
{
    /// <summary>The interval systemd expects pings within, or null when there is no watchdog for us.</summary>
    public static TimeSpan? Interval(Func<string, string?> getEnvironment, int processId)
    {
        ArgumentNullException.ThrowIfNull(getEnvironment);
        if (!ulong.TryParse(getEnvironment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec == 0)
        {
            return null;
        }
        var pid = getEnvironment("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != processId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }
        return TimeSpan.FromMicroseconds(Math.Min(usec, (ulong)TimeSpan.FromDays(1).TotalMicroseconds));
    }
}
