using System.Globalization;

namespace Concierge.Vmc.Output;

/// <summary>Short human forms of durations and sizes for tables.</summary>
internal static class Humanize
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>"42s", "3m07s", "2h05m", "3d04h"; "-" for none.</summary>
    public static string Duration(TimeSpan? duration)
    {
        if (duration is not { } d || d < TimeSpan.Zero)
        {
            return "-";
        }
        var invariant = CultureInfo.InvariantCulture;
        return d.TotalSeconds switch
        {
            < 60 => string.Create(invariant, $"{(int)d.TotalSeconds}s"),
            < 3600 => string.Create(invariant, $"{(int)d.TotalMinutes}m{d.Seconds:00}s"),
            < 86400 => string.Create(invariant, $"{(int)d.TotalHours}h{d.Minutes:00}m"),
            _ => string.Create(invariant, $"{(int)d.TotalDays}d{d.Hours:00}h"),
        };
    }

    /// <summary>Seconds with one decimal, for progress and boot times: "1.2s".</summary>
    public static string Seconds(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.0}s");

    /// <summary>"512 MiB", "2 GiB", "1.5 GiB".</summary>
    public static string MiB(ulong mebibytes) => mebibytes == 0 ? "-" : Bytes(mebibytes << 20);

    /// <summary>Bytes in the largest binary unit that keeps the number at least 1: "1 GiB", "1.5 GiB", "300 B".</summary>
    public static string Bytes(ulong bytes)
    {
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        var number = value == Math.Floor(value) ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.#", CultureInfo.InvariantCulture);
        return $"{number} {ByteUnits[unit]}";
    }

    /// <summary>Lower-case word for enums in tables and JSON ("running", "healthy").</summary>
    public static string Word<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();
}
