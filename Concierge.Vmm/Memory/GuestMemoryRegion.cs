namespace Concierge.Vmm.Memory;

/// <summary>One contiguous run of guest RAM: where the guest sees it and where the host mapped it.</summary>
/// <param name="GuestAddress">First guest-physical address of the region.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="HostAddress">Start of the host mapping (for KVM memory slots only; never dereferenced outside Memory/).</param>
public readonly record struct GuestMemoryRegion(ulong GuestAddress, ulong Size, nint HostAddress)
{
    /// <summary>One past the last guest-physical address of the region.</summary>
    public ulong End => GuestAddress + Size;

    /// <summary>True when [<paramref name="address"/>, +<paramref name="length"/>) lies wholly inside this region.</summary>
    public bool Contains(ulong address, ulong length) =>
        address >= GuestAddress && length <= Size && address - GuestAddress <= Size - length;
}
