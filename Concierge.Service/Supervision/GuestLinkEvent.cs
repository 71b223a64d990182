namespace Concierge.Service.Supervision;

/// <summary>Something the guest said over the host link (guest.proto's GuestMessage, as far as the supervisor cares).</summary>
public abstract record GuestLinkEvent;
