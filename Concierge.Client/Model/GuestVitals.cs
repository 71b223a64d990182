namespace Concierge.Client;

/// <summary>What a guest reported of itself in a heartbeat (its own word, as the service relays it).</summary>
/// <param name="Uptime">Guest uptime.</param>
/// <param name="Load1">Load average over 1 minute.</param>
/// <param name="Load5">Load average over 5 minutes.</param>
/// <param name="Load15">Load average over 15 minutes.</param>
/// <param name="MemoryAvailableBytes">The guest's MemAvailable.</param>
/// <param name="MemoryTotalBytes">The guest's MemTotal.</param>
public sealed record GuestVitals(TimeSpan Uptime, double Load1, double Load5, double Load15, ulong MemoryAvailableBytes, ulong MemoryTotalBytes)
{
    /// <summary>The vitals in these numbers, or null when they are all zero: the guest has not beaten yet.</summary>
    public static GuestVitals? FromReported(long uptimeMicroseconds, double load1, double load5, double load15, ulong available, ulong total) =>
        uptimeMicroseconds <= 0 && total == 0 ? null
            : new GuestVitals(TimeSpan.FromMicroseconds(Math.Max(0, uptimeMicroseconds)), load1, load5, load15, available, total);
}
