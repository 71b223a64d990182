namespace Concierge.Service.Supervision;

/// <summary>A periodic sign of life from the guest init.</summary>
/// <param name="Sequence">Grows by one per heartbeat.</param>
/// <param name="Uptime">Guest uptime.</param>
public sealed record GuestHeartbeat(ulong Sequence, TimeSpan Uptime) : GuestLinkEvent;
