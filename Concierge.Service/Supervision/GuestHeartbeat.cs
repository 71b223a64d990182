namespace Concierge.Service.Supervision;

/// <summary>A periodic sign of life from the guest init, with what it sampled of itself.</summary>
/// <param name="Sequence">Grows by one per heartbeat; a gap counts as missed beats.</param>
/// <param name="Vitals">The guest's uptime, load and memory as it reported them.</param>
public sealed record GuestHeartbeat(ulong Sequence, GuestVitals Vitals) : GuestLinkEvent;

/// <summary>
/// What the guest says of itself in a heartbeat. The guest is not trusted: these are shown to
/// the VM's owner as the guest's own word and never used to decide anything.
/// </summary>
/// <param name="Uptime">Guest uptime.</param>
/// <param name="Load1">Load average over 1 minute.</param>
/// <param name="Load5">Load average over 5 minutes.</param>
/// <param name="Load15">Load average over 15 minutes.</param>
/// <param name="MemoryAvailableBytes">MemAvailable of the guest's /proc/meminfo.</param>
/// <param name="MemoryTotalBytes">MemTotal of the guest's /proc/meminfo.</param>
public sealed record GuestVitals(TimeSpan Uptime, double Load1, double Load5, double Load15, ulong MemoryAvailableBytes, ulong MemoryTotalBytes);
