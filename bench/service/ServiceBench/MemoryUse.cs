using System.Globalization;

namespace Concierge.Bench.Service;

/// <summary>
/// A process's resident memory from /proc/PID/smaps: the total, and the part in guest-RAM
/// mappings (each VM's RAM is one anonymous mapping of exactly its memory size).
/// </summary>
internal sealed record MemoryUse(long TotalKiB, long GuestKiB)
{
    public long OwnKiB => TotalKiB - GuestKiB;

    public static MemoryUse Read(int pid, ulong guestMiB)
    {
        long total = 0, guest = 0, size = 0;
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
                if (size == (long)guestMiB * 1024)
                {
                    guest += rss;
                }
            }
        }
        return new MemoryUse(total, guest);
    }

    private static long KiB(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
