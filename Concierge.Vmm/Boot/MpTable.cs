using System.Buffers.Binary;
using System.Text;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Boot;

/// <summary>
/// The Intel MultiProcessor Specification 1.4 tables: one processor entry per vCPU, the ISA
/// bus, the IOAPIC, ISA IRQs 0-15 wired to the same IOAPIC pins, LINT0 = ExtINT, LINT1 = NMI.
/// Linux uses them when booted with acpi=off; with ACPI the MADT says the same.
/// </summary>
internal static class MpTable
{
    private const int FloatingPointerSize = 16;
    private const int HeaderSize = 44;
    private const int ProcessorEntrySize = 20;
    private const int ShortEntrySize = 8;
    private const int IsaIrqCount = 16;
    private const byte ApicVersion = 0x14;
    private const byte IoApicVersion = 0x11;
    private const int MaxBytes = 1024;

    /// <summary>Bytes the table needs for <paramref name="vcpuCount"/> vCPUs.</summary>
    public static int SizeFor(int vcpuCount) =>
        FloatingPointerSize + HeaderSize + vcpuCount * ProcessorEntrySize + (2 + IsaIrqCount + 2) * ShortEntrySize;

    /// <summary>The most vCPUs whose entries fit the 1 KiB reserved for the table.</summary>
    public static int MaxVcpus => (MaxBytes - SizeFor(0)) / ProcessorEntrySize;

    public static void Write(GuestMemory memory, ulong address, int vcpuCount)
    {
        if (vcpuCount < 1 || vcpuCount > MaxVcpus)
        {
            throw new ArgumentOutOfRangeException(nameof(vcpuCount), vcpuCount, $"the MP table holds 1..{MaxVcpus} vCPUs");
        }
        var table = memory.GetSpan(address, SizeFor(vcpuCount));
        table.Clear();
        var ioApicId = (byte)vcpuCount;

        // Floating pointer structure: "_MP_", physical address of the configuration table, length in 16-byte units, revision 1.4.
        var pointer = table[..FloatingPointerSize];
        Encoding.ASCII.GetBytes("_MP_", pointer);
        BinaryPrimitives.WriteUInt32LittleEndian(pointer[4..], (uint)(address + FloatingPointerSize));
        pointer[8] = 1;
        pointer[9] = 4;
        pointer[10] = ByteChecksum.Of(pointer);

        var config = table[FloatingPointerSize..];
        var offset = HeaderSize;
        for (var cpu = 0; cpu < vcpuCount; cpu++)
        {
            var entry = config.Slice(offset, ProcessorEntrySize);
            entry[0] = 0; // processor
            entry[1] = (byte)cpu;
            entry[2] = ApicVersion;
            entry[3] = (byte)(cpu == 0 ? 0x3 : 0x1); // enabled, plus bootstrap for CPU 0
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], 0x600); // family 6 signature
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], 0x201); // FPU + APIC feature flags
            offset += ProcessorEntrySize;
        }
        var bus = config.Slice(offset, ShortEntrySize);
        bus[0] = 1;
        Encoding.ASCII.GetBytes("ISA   ", bus[2..]);
        offset += ShortEntrySize;

        var ioApic = config.Slice(offset, ShortEntrySize);
        ioApic[0] = 2;
        ioApic[1] = ioApicId;
        ioApic[2] = IoApicVersion;
        ioApic[3] = 1; // usable
        BinaryPrimitives.WriteUInt32LittleEndian(ioApic[4..], BootLayout.IoApicAddress);
        offset += ShortEntrySize;

        for (byte irq = 0; irq < IsaIrqCount; irq++)
        {
            WriteInterrupt(config.Slice(offset, ShortEntrySize), entryType: 3, interruptType: 0, irq, ioApicId, irq);
            offset += ShortEntrySize;
        }
        WriteInterrupt(config.Slice(offset, ShortEntrySize), entryType: 4, interruptType: 3, sourceIrq: 0, destination: 0xFF, pin: 0);
        offset += ShortEntrySize;
        WriteInterrupt(config.Slice(offset, ShortEntrySize), entryType: 4, interruptType: 1, sourceIrq: 0, destination: 0xFF, pin: 1);
        offset += ShortEntrySize;

        var header = config[..HeaderSize];
        Encoding.ASCII.GetBytes("PCMP", header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], (ushort)offset);
        header[6] = 4;
        Encoding.ASCII.GetBytes("CONCIERG", header[8..]);
        Encoding.ASCII.GetBytes("VMM         ", header[16..]);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], (ushort)(vcpuCount + 2 + IsaIrqCount + 2));
        BinaryPrimitives.WriteUInt32LittleEndian(header[36..], BootLayout.LocalApicAddress);
        header[7] = ByteChecksum.Of(config[..offset]);
    }

    private static void WriteInterrupt(Span<byte> entry, byte entryType, byte interruptType, byte sourceIrq, byte destination, byte pin)
    {
        entry[0] = entryType;
        entry[1] = interruptType;
        // flags (2 bytes) 0: polarity and trigger conform to the bus (ISA: active high, edge)
        entry[4] = 0; // source bus: ISA
        entry[5] = sourceIrq;
        entry[6] = destination;
        entry[7] = pin;
    }
}
