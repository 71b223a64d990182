using System.Globalization;

namespace Concierge.Bench.Boot;

/// <summary>
/// Reads a process's resident memory from /proc/PID/smaps: the total, and the part in the
/// guest-RAM mapping (the smallest mapping at least as large as the guest's memory).
/// </summary>
internal static class MemoryUse
{
    public static (long TotalKiB, long GuestKiB) Read(int pid, int guestMiB)
    {
        long total = 0, guest = 0, guestMappingSize = long.MaxValue, size = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (line.StartsWith("Size:", StringComparison.Ordinal))
            {
                size = KiB(line);
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                var rss = KiB(line);
                total += rss;
                if (size >= guestMiB * 1024L && size < guestMappingSize)
                {
                    guestMappingSize = size;
                    guest = rss;
                }
            }
        }
        return (total, guest);
    }

    private static long KiB(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
