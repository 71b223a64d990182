using System.Buffers.Binary;
using System.Text;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Boot.Acpi;

/// <summary>
/// Writes the ACPI tables: RSDP → XSDT → {FADT → (FACS, DSDT), MADT}. They exist so the guest
/// can power itself off (FADT PM1a control block + DSDT <c>\_S5</c>) and finds its CPUs (MADT).
/// </summary>
internal static class AcpiTables
{
    private const int RsdpSize = 36;
    private const int Alignment = 64;

    /// <summary>Writes all tables at <paramref name="baseAddress"/>; returns the RSDP address.</summary>
    public static ulong Write(GuestMemory memory, ulong baseAddress, int vcpuCount)
    {
        var next = baseAddress + RsdpSize;
        ulong Place(byte[] table)
        {
            next = (next + Alignment - 1) / Alignment * Alignment;
            var address = next;
            if (address + (ulong)table.Length > baseAddress + BootLayout.AcpiTablesSize)
            {
                throw new InvalidOperationException("the ACPI tables outgrew their reserved area");
            }
            memory.Write(address, table);
            next += (ulong)table.Length;
            return address;
        }

        var facs = Place(Facs.Create());
        var dsdt = Place(Dsdt.Create());
        var fadt = Place(Fadt.Create(facs, dsdt));
        var madt = Place(Madt.Create(vcpuCount));
        var xsdtBody = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(xsdtBody, fadt);
        BinaryPrimitives.WriteUInt64LittleEndian(xsdtBody.AsSpan(8), madt);
        var xsdt = Place(AcpiTable.Create("XSDT", 1, xsdtBody));

        var rsdp = new byte[RsdpSize];
        Encoding.ASCII.GetBytes("RSD PTR ", rsdp);
        Encoding.ASCII.GetBytes(AcpiTable.OemId, rsdp.AsSpan(9));
        rsdp[15] = 2; // ACPI 2.0+: the XSDT is used
        BinaryPrimitives.WriteUInt32LittleEndian(rsdp.AsSpan(20), RsdpSize);
        BinaryPrimitives.WriteUInt64LittleEndian(rsdp.AsSpan(24), xsdt);
        rsdp[8] = ByteChecksum.Of(rsdp.AsSpan(0, 20));
        rsdp[32] = ByteChecksum.Of(rsdp);
        memory.Write(baseAddress, rsdp);
        return baseAddress;
    }
}
