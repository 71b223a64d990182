using Concierge.Service.Registry;

namespace Concierge.Service.Supervision;

/// <summary>A change of a VM's state or health (the source of D-Bus signals and PropertiesChanged).</summary>
/// <param name="Key">Which VM.</param>
/// <param name="Cid">Its vsock CID.</param>
/// <param name="Previous">The status before.</param>
/// <param name="Current">The status after.</param>
public sealed record VmTransition(VmKey Key, uint Cid, VmStatusSnapshot Previous, VmStatusSnapshot Current)
{
    /// <summary>True when the lifecycle state changed (not only health or timestamps).</summary>
    public bool StateChanged => Previous.State != Current.State;
}
