namespace Concierge.Vmm.Boot;

/// <summary>One entry of the BIOS e820 memory map handed to the kernel.</summary>
/// <param name="Address">First byte.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Type">1 = usable RAM, 2 = reserved.</param>
internal readonly record struct E820Entry(ulong Address, ulong Size, uint Type)
{
    public const uint Ram = 1;
    public const uint Reserved = 2;

    /// <summary>One past the last byte.</summary>
    public ulong End => Address + Size;
}
