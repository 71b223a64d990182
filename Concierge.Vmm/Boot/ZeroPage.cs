using System.Buffers.Binary;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Boot;

/// <summary>
/// Writes struct boot_params (the "zero page"): the kernel's own setup header plus what the
/// loader decided (command line, initrd, memory map, ACPI RSDP). Offsets from
/// Documentation/arch/x86/zero-page.rst.
/// </summary>
internal static class ZeroPage
{
    private const int Size = 4096;
    private const int AcpiRsdpAddr = 0x070;
    private const int E820Entries = 0x1E8;
    private const int TypeOfLoader = 0x210;
    private const int LoadFlags = 0x211;
    private const int RamdiskImage = 0x218;
    private const int RamdiskSize = 0x21C;
    private const int CmdLinePtr = 0x228;
    private const int E820Table = 0x2D0;
    private const int E820MaxEntries = 128;
    private const int E820EntrySize = 20;
    private const byte UndefinedBootloader = 0xFF;
    private const byte LoadedHigh = 0x01;

    /// <summary>What the loader placed where, for the zero page.</summary>
    public readonly record struct Contents(
        BzImageHeader Kernel,
        ulong CommandLineAddress,
        ulong InitrdAddress,
        ulong InitrdSize,
        IReadOnlyList<E820Entry> MemoryMap,
        ulong AcpiRsdpAddress);

    public static void Write(GuestMemory memory, ulong address, in Contents contents)
    {
        if (contents.MemoryMap.Count > E820MaxEntries)
        {
            throw new ArgumentException($"at most {E820MaxEntries} e820 entries fit the zero page", nameof(contents));
        }
        var page = memory.GetSpan(address, Size);
        page.Clear();
        contents.Kernel.SetupHeader.CopyTo(page[BzImageHeader.SetupHeaderOffset..]);
        page[TypeOfLoader] = UndefinedBootloader;
        page[LoadFlags] |= LoadedHigh;
        BinaryPrimitives.WriteUInt32LittleEndian(page[CmdLinePtr..], checked((uint)contents.CommandLineAddress));
        BinaryPrimitives.WriteUInt32LittleEndian(page[RamdiskImage..], checked((uint)contents.InitrdAddress));
        BinaryPrimitives.WriteUInt32LittleEndian(page[RamdiskSize..], checked((uint)contents.InitrdSize));
        BinaryPrimitives.WriteUInt64LittleEndian(page[AcpiRsdpAddr..], contents.AcpiRsdpAddress);

        page[E820Entries] = (byte)contents.MemoryMap.Count;
        for (var i = 0; i < contents.MemoryMap.Count; i++)
        {
            var entry = contents.MemoryMap[i];
            var slot = page.Slice(E820Table + i * E820EntrySize, E820EntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(slot, entry.Address);
            BinaryPrimitives.WriteUInt64LittleEndian(slot[8..], entry.Size);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[16..], entry.Type);
        }
    }
}
