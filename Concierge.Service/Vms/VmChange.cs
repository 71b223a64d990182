using Concierge.Service.Supervision;

namespace Concierge.Service.Vms;

/// <summary>A VM's transition with its view right after it: what a listener shows, without asking the manager again.</summary>
/// <param name="Transition">The change of state or health.</param>
/// <param name="View">The VM as both D-Bus faces show it after the change.</param>
public sealed record VmChange(VmTransition Transition, VmView View);
