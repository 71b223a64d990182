namespace Concierge.Service.Supervision;

/// <summary>The guest init is up and connected (first message on every connection).</summary>
/// <param name="KernelVersion">The guest's <c>uname -r</c>.</param>
public sealed record GuestHello(string KernelVersion) : GuestLinkEvent;
