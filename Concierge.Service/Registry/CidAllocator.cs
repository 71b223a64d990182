namespace Concierge.Service.Registry;

/// <summary>
/// Hands out vsock context ids. 0, 1 and 2 are the hypervisor, local and host, 3–31 are kept
/// for statically configured VMs (as Chrome OS does), and u32 max is VMADDR_CID_ANY, so VMs get
/// 32 and up. Unlike Chrome OS, a released CID is reused (lowest first), so a long-running
/// service never runs out.
/// </summary>
public sealed class CidAllocator
{
    /// <summary>The first CID given to a VM.</summary>
    public const uint First = 32;

    /// <summary>The last usable CID (u32 max is VMADDR_CID_ANY).</summary>
    public const uint Last = uint.MaxValue - 1;

    private readonly Lock _lock = new();
    private readonly SortedSet<uint> _released = [];
    private readonly HashSet<uint> _inUse = [];
    private uint _next = First;

    /// <summary>CIDs currently handed out.</summary>
    public int InUseCount
    {
        get
        {
            lock (_lock)
            {
                return _inUse.Count;
            }
        }
    }

    /// <summary>The lowest free CID.</summary>
    /// <exception cref="InvalidOperationException">Every CID is in use.</exception>
    public uint Allocate()
    {
        lock (_lock)
        {
            uint cid;
            if (_released.Count > 0)
            {
                cid = _released.Min;
                _released.Remove(cid);
            }
            else if (_next <= Last)
            {
                cid = _next++;
            }
            else
            {
                throw new InvalidOperationException("no free vsock CID");
            }
            _inUse.Add(cid);
            return cid;
        }
    }

    /// <summary>Returns <paramref name="cid"/> for reuse; false when it was not handed out.</summary>
    public bool Release(uint cid)
    {
        lock (_lock)
        {
            if (!_inUse.Remove(cid))
            {
                return false;
            }
            _released.Add(cid);
            return true;
        }
    }
}
