using System.Globalization;
using Concierge.GuestLink.Protocol;

namespace Concierge.Guest.Link;

/// <summary>Reads the heartbeat's numbers and the hello's facts from /proc.</summary>
internal static class GuestStats
{
    /// <summary>A heartbeat without its sequence number (the link numbers them).</summary>
    public static Heartbeat Sample()
    {
        var heartbeat = new Heartbeat { UptimeMs = ParseUptimeMs(File.ReadAllText("/proc/uptime")) };
        var (load1, load5, load15) = ParseLoadAverage(File.ReadAllText("/proc/loadavg"));
        heartbeat.Load1Centi = load1;
        heartbeat.Load5Centi = load5;
        heartbeat.Load15Centi = load15;
        var (available, total) = ParseMemInfo(File.ReadAllLines("/proc/meminfo"));
        heartbeat.MemoryAvailableKib = available;
        heartbeat.MemoryTotalKib = total;
        return heartbeat;
    }

    /// <summary>The hello: kernel release, boot time (now minus uptime), host name.</summary>
    public static Hello DescribeGuest(uint heartbeatIntervalMs)
    {
        var uptimeMs = ParseUptimeMs(File.ReadAllText("/proc/uptime"));
        return new Hello
        {
            ProtocolVersion = 1,
            KernelVersion = File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
            BootTimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)uptimeMs,
            Hostname = File.ReadAllText("/proc/sys/kernel/hostname").Trim(),
            HeartbeatIntervalMs = heartbeatIntervalMs,
        };
    }

    /// <summary>"12345.67 54321.00" → 12345670.</summary>
    public static ulong ParseUptimeMs(string text)
    {
        var first = FirstField(text, "/proc/uptime");
        return (ulong)(ParseDecimal(first, "/proc/uptime") * 1000);
    }

    /// <summary>"0.52 0.58 0.59 1/189 12345" → (52, 58, 59).</summary>
    public static (uint Load1, uint Load5, uint Load15) ParseLoadAverage(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3)
        {
            throw new FormatException($"/proc/loadavg has {fields.Length} fields");
        }
        return (Centi(fields[0]), Centi(fields[1]), Centi(fields[2]));

        static uint Centi(string field) => (uint)Math.Round(ParseDecimal(field, "/proc/loadavg") * 100);
    }

    /// <summary>MemAvailable and MemTotal in KiB from /proc/meminfo lines ("MemTotal:  2000000 kB").</summary>
    public static (ulong Available, ulong Total) ParseMemInfo(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ulong available = 0, total = 0;
        foreach (var line in lines)
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            switch (fields[0])
            {
                case "MemAvailable:":
                    available = value;
                    break;
                case "MemTotal:":
                    total = value;
                    break;
            }
        }
        return (available, total);
    }

    private static string FirstField(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 0 ? fields[0] : throw new FormatException($"{source} is empty");
    }

    private static decimal ParseDecimal(string field, string source) =>
        decimal.TryParse(field, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new FormatException($"{source}: '{field}' is not a number");
}
