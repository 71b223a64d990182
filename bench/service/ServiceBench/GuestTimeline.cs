using System.Globalization;
using System.Text.RegularExpressions;

namespace Concierge.Bench.Service;

/// <summary>
/// Guest-side marks on the guest's own clock (seconds since its kernel's clock started), read
/// from the kernel log (dmesg: printk times) and /proc/uptime through one Exec.
/// </summary>
internal sealed partial record GuestTimeline(double UptimeS, double? RunInitS, double? InitStartingS, double? LinkConnectedS)
{
    /// <summary>The Exec's shell script: uptime on the first line, then the kernel log.</summary>
    public static readonly string[] Command = ["sh", "-c", "cat /proc/uptime; dmesg"];

    public static GuestTimeline Parse(string output)
    {
        var lines = output.Split('\n');
        var uptime = double.Parse(lines[0].Split(' ')[0], CultureInfo.InvariantCulture);
        return new GuestTimeline(uptime,
            Mark(lines, "Run /init as init process"),
            Mark(lines, "concierge-init: starting on kernel"),
            Mark(lines, "concierge-init: host link: connected"));
    }

    private static double? Mark(string[] lines, string text)
    {
        foreach (var line in lines)
        {
            if (line.Contains(text, StringComparison.Ordinal) && Printk().Match(line) is { Success: true } match)
            {
                return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
        }
        return null;
    }

    [GeneratedRegex(@"^\[\s*(\d+\.\d+)\]")]
    private static partial Regex Printk();
}
