using Concierge.Service.Registry;
using Concierge.Service.Supervision;

namespace Concierge.Service.Vms;

/// <summary>One VM as both D-Bus faces show it: its registry record joined with its live status.</summary>
/// <param name="Key">Which VM.</param>
/// <param name="Definition">What it is made of.</param>
/// <param name="Cid">Its vsock CID while a run is active, else null.</param>
/// <param name="Status">Its status (from the supervisor, or from the registry when it never ran here).</param>
public sealed record VmView(VmKey Key, VmDefinition Definition, uint? Cid, VmStatusSnapshot Status)
{
    /// <summary>True while a monitor exists or a restart is pending.</summary>
    public bool IsActive => Status.State is VmState.Starting or VmState.Running or VmState.Stopping or VmState.Suspended
        || Status.RestartDelay is not null;
}
