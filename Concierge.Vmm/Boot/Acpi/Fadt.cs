using System.Buffers.Binary;

namespace Concierge.Vmm.Boot.Acpi;

/// <summary>
/// The fixed ACPI description table (revision 6). It declares a PM1a event block and a PM1a
/// control block on I/O ports (served by <see cref="Devices.AcpiPowerManagement"/>), no SMI
/// command port (the platform is always in ACPI mode), no PM timer or GPEs, no i8042 (so the
/// guest's i8042 driver does not probe), no VGA and no CMOS RTC (kvmclock keeps time).
/// </summary>
internal static class Fadt
{
    private const int Size = 276;
    private const ushort SciInterrupt = 9;
    private const ushort BootArchNoVga = 1 << 2;
    private const ushort BootArchNoCmosRtc = 1 << 5;
    private const uint FlagWbinvd = 1 << 0;
    private const uint FlagPowerButtonIsControlMethod = 1 << 4;
    private const uint FlagSleepButtonIsControlMethod = 1 << 5;

    public static byte[] Create(ulong facsAddress, ulong dsdtAddress)
    {
        var body = new byte[Size - AcpiTable.HeaderSize];
        Field(body, 36, 4, (uint)facsAddress); // FIRMWARE_CTRL
        Field(body, 40, 4, (uint)dsdtAddress); // DSDT
        Field(body, 46, 2, SciInterrupt);
        Field(body, 56, 4, Devices.AcpiPowerManagement.EventBlockPort); // PM1a_EVT_BLK
        Field(body, 64, 4, Devices.AcpiPowerManagement.ControlBlockPort); // PM1a_CNT_BLK
        Field(body, 88, 1, Devices.AcpiPowerManagement.EventBlockLength); // PM1_EVT_LEN
        Field(body, 89, 1, Devices.AcpiPowerManagement.ControlBlockLength); // PM1_CNT_LEN
        Field(body, 109, 2, BootArchNoVga | BootArchNoCmosRtc); // IAPC_BOOT_ARCH
        Field(body, 112, 4, FlagWbinvd | FlagPowerButtonIsControlMethod | FlagSleepButtonIsControlMethod);
        BinaryPrimitives.WriteUInt64LittleEndian(body.AsSpan(140 - AcpiTable.HeaderSize), dsdtAddress); // X_DSDT
        return AcpiTable.Create("FACP", 6, body);
    }

    /// <summary>Writes a field given by its offset in the whole table (as the ACPI spec lists them).</summary>
    private static void Field(byte[] body, int tableOffset, int size, uint value)
    {
        var span = body.AsSpan(tableOffset - AcpiTable.HeaderSize, size);
        switch (size)
        {
            case 1: span[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value); break;
            default: BinaryPrimitives.WriteUInt32LittleEndian(span, value); break;
        }
    }
}
