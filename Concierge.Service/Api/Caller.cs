using Concierge.Service.Registry;

namespace Concierge.Service.Api;

/// <summary>
/// Who is calling, as the bus vouches for it (GetConnectionUnixUser of the sender): the owner of
/// every VM the caller creates. Root may see and touch every VM; anyone else only its own.
/// </summary>
/// <param name="Uid">The caller's uid.</param>
public readonly record struct Caller(uint Uid)
{
    /// <summary>True for uid 0.</summary>
    public bool IsRoot => Uid == 0;

    /// <summary>True when the caller may see and control <paramref name="key"/>.</summary>
    public bool MayAccess(VmKey key) => IsRoot || key.Owner == Uid;

    /// <summary>True when the caller may act for <paramref name="owner"/> (create its VMs and disks).</summary>
    public bool MayActFor(uint owner) => IsRoot || owner == Uid;
}
