using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Boot;

/// <summary>
/// The memory map the guest sees: RAM below 640 KiB minus the firmware-table area, the legacy
/// BIOS range reserved, RAM from 1 MiB to the end of low memory, and RAM above 4 GiB if any.
/// </summary>
internal static class E820Map
{
    public static IReadOnlyList<E820Entry> For(GuestMemory memory)
    {
        var low = memory.Regions[0];
        if (low.GuestAddress != 0 || low.End <= BootLayout.KernelLoadAddress)
        {
            throw new VmConfigException($"guest memory must start at 0 and reach past 1 MiB (it ends at 0x{low.End:x})");
        }
        var map = new List<E820Entry>
        {
            new(0, BootLayout.LowReservedStart, E820Entry.Ram),
            new(BootLayout.LowReservedStart, BootLayout.KernelLoadAddress - BootLayout.LowReservedStart, E820Entry.Reserved),
            new(BootLayout.KernelLoadAddress, low.End - BootLayout.KernelLoadAddress, E820Entry.Ram),
        };
        map.AddRange(memory.Regions.Skip(1).Select(region => new E820Entry(region.GuestAddress, region.Size, E820Entry.Ram)));
        return map;
    }
}
