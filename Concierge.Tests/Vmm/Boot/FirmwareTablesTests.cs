using System.Buffers.Binary;
using System.Text;
using Concierge.Vmm.Boot;
using Concierge.Vmm.Boot.Acpi;
using Concierge.Vmm.Memory;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Boot;

/// <summary>MP and ACPI tables as the guest's parsers check them: signatures, lengths, checksums, links.</summary>
[TestFixture, Category("Unit")]
public sealed class FirmwareTablesTests
{
    [Test]
    public void AcpiTablesLinkAndSumToZero()
    {
        using var memory = GuestMemory.Create(2 << 20);
        var rsdp = AcpiTables.Write(memory, BootLayout.AcpiTablesAddress, vcpuCount: 3);
        Assert.That(Encoding.ASCII.GetString(memory.GetSpan(rsdp, 8)), Is.EqualTo("RSD PTR "));
        Assert.That(Sum(memory.GetSpan(rsdp, 20)), Is.Zero);
        Assert.That(Sum(memory.GetSpan(rsdp, 36)), Is.Zero);

        var xsdt = memory.Read<ulong>(rsdp + 24);
        var xsdtTable = Table(memory, xsdt, "XSDT");
        var fadt = Table(memory, BinaryPrimitives.ReadUInt64LittleEndian(xsdtTable[36..]), "FACP");
        var madt = Table(memory, BinaryPrimitives.ReadUInt64LittleEndian(xsdtTable[44..]), "APIC");
        Table(memory, BinaryPrimitives.ReadUInt64LittleEndian(fadt[140..]), "DSDT");
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(fadt[64..]), Is.EqualTo(0x604u), "PM1a_CNT_BLK");
        var localApics = 0;
        for (var offset = 44; offset < madt.Length; offset += madt[offset + 1])
        {
            localApics += madt[offset] == 0 ? 1 : 0;
        }
        Assert.That(localApics, Is.EqualTo(3));
    }

    [Test]
    public void MpTableHasOneProcessorPerVcpu()
    {
        using var memory = GuestMemory.Create(1 << 20);
        MpTable.Write(memory, BootLayout.MpTableAddress, vcpuCount: 4);
        var pointer = memory.GetSpan(BootLayout.MpTableAddress, 16);
        Assert.That(Encoding.ASCII.GetString(pointer[..4]), Is.EqualTo("_MP_"));
        Assert.That(Sum(pointer), Is.Zero);
        var config = BinaryPrimitives.ReadUInt32LittleEndian(pointer[4..]);
        var length = memory.Read<ushort>(config + 4);
        var table = memory.GetSpan(config, length);
        Assert.That(Encoding.ASCII.GetString(table[..4]), Is.EqualTo("PCMP"));
        Assert.That(Sum(table), Is.Zero);
        var processors = 0;
        for (var offset = 44; offset < table.Length; offset += table[offset] == 0 ? 20 : 8)
        {
            processors += table[offset] == 0 ? 1 : 0;
        }
        Assert.That(processors, Is.EqualTo(4));
    }

    private static Span<byte> Table(GuestMemory memory, ulong address, string signature)
    {
        var length = memory.Read<uint>(address + 4);
        var table = memory.GetSpan(address, (int)length);
        Assert.That(Encoding.ASCII.GetString(table[..4]), Is.EqualTo(signature));
        Assert.That(Sum(table), Is.Zero, $"{signature} checksum");
        return table;
    }

    private static int Sum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (var b in bytes)
        {
            sum += b;
        }
        return sum;
    }
}
