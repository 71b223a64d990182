using System.Globalization;

namespace Concierge.Bench.Service;

/// <summary>
/// A process's resident memory from /proc/PID/smaps: the total, and the part in guest-RAM
/// mappings. Each VM's RAM is one anonymous mapping of its memory size, but the kernel may merge it
/// with an adjacent anonymous mapping of the same flags, so every mapping at least that large
/// counts (except the runtime's address-space reservations of 64 GiB and more).
/// </summary>
internal sealed record MemoryUse(long TotalKiB, long GuestKiB)
{
    private const long ReservationKiB = 64L << 20;

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
                if (guestMiB > 0 && size >= (long)guestMiB * 1024 && size < ReservationKiB)
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
