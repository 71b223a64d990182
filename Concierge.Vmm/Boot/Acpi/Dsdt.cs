namespace Concierge.Vmm.Boot.Acpi;

/// <summary>
/// The DSDT: only what power-off needs. ACPI S5 ("soft off") is entered by writing SLP_TYP =
/// <see cref="S5SleepType"/> with SLP_EN to the PM1a control register; the kernel learns the
/// value from the <c>\_S5</c> package.
/// </summary>
internal static class Dsdt
{
    /// <summary>The SLP_TYP value the guest writes to enter S5.</summary>
    public const byte S5SleepType = 5;

    public static byte[] Create() => AcpiTable.Create("DSDT", 2,
    [
        // Name (_S5, Package (4) { 5, 0, 0, 0 }):
        // NameOp "_S5_" PackageOp PkgLength=7 NumElements=4 BytePrefix 5 Zero Zero Zero
        0x08, (byte)'_', (byte)'S', (byte)'5', (byte)'_', 0x12, 0x07, 0x04, 0x0A, S5SleepType, 0x00, 0x00, 0x00,
    ]);
}
