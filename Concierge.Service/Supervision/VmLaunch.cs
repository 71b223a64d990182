using Concierge.Service.Registry;

namespace Concierge.Service.Supervision;

/// <summary>Everything a factory needs to build one VM instance.</summary>
/// <param name="Key">Which VM.</param>
/// <param name="Cid">Its vsock CID (kept across restarts).</param>
/// <param name="Definition">What it is made of.</param>
/// <param name="ConsoleLogPath">Where its serial console goes.</param>
/// <param name="Attempt">0 for the first start, then the restart number.</param>
public sealed record VmLaunch(VmKey Key, uint Cid, VmDefinition Definition, string ConsoleLogPath, int Attempt)
{
    /// <summary>The run's passed images (the instance reads through duplicates of them), or null.</summary>
    public PassedImages? PassedImages { get; init; }
}
