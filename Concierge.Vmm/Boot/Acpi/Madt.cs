using System.Buffers.Binary;

namespace Concierge.Vmm.Boot.Acpi;

/// <summary>
/// The multiple APIC description table: one enabled local APIC per vCPU (APIC ID = index),
/// the IOAPIC at GSI 0, LINT1 = NMI on every CPU. ISA IRQs map 1:1 to IOAPIC pins, as KVM's
/// default GSI routing does, so no interrupt source overrides are needed.
/// </summary>
internal static class Madt
{
    private const uint PcAtCompatible = 1;

    public static byte[] Create(int vcpuCount)
    {
        var body = new List<byte>();
        AppendU32(body, BootLayout.LocalApicAddress);
        AppendU32(body, PcAtCompatible);
        for (var cpu = 0; cpu < vcpuCount; cpu++)
        {
            body.AddRange([0, 8, (byte)cpu, (byte)cpu]);
            AppendU32(body, 1); // enabled
        }
        body.AddRange([1, 12, (byte)vcpuCount, 0]);
        AppendU32(body, BootLayout.IoApicAddress);
        AppendU32(body, 0); // GSI base
        body.AddRange([4, 6, 0xFF, 0, 0, 1]); // local APIC NMI: all processors, flags 0, LINT1
        return AcpiTable.Create("APIC", 4, body.ToArray());
    }

    private static void AppendU32(List<byte> bytes, uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        bytes.AddRange(buffer);
    }
}
