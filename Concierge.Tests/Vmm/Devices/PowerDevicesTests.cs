using Concierge.Vmm.Devices;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Devices;

/// <summary>The two ways a guest ends its VM: ACPI S5 (power-off) and the i8042 reset (reboot).</summary>
[TestFixture, Category("Unit")]
public sealed class PowerDevicesTests
{
    [Test]
    public void WritingS5WithSleepEnablePowersOff()
    {
        var powerOffs = 0;
        var pm = new AcpiPowerManagement(5, () => powerOffs++);
        pm.Write(AcpiPowerManagement.EventBlockLength, [0x00, 5 << 2]); // SLP_TYP=5 without SLP_EN: prepare only
        Assert.That(powerOffs, Is.Zero);
        pm.Write(AcpiPowerManagement.EventBlockLength, [0x00, (5 << 2) | 0x20]);
        Assert.That(powerOffs, Is.EqualTo(1));
    }

    [Test]
    public void OtherSleepStatesAndEventWritesDoNothing()
    {
        var powerOffs = 0;
        var pm = new AcpiPowerManagement(5, () => powerOffs++);
        pm.Write(AcpiPowerManagement.EventBlockLength, [0x00, (1 << 2) | 0x20]);
        pm.Write(0, [0xFF, 0xFF]);
        Assert.That(powerOffs, Is.Zero);
        Span<byte> control = stackalloc byte[2];
        pm.Read(AcpiPowerManagement.EventBlockLength, control);
        Assert.That(control[0] & 1, Is.EqualTo(1), "SCI_EN reads set: always in ACPI mode");
    }

    [Test]
    public void I8042PulseResetReboots()
    {
        var resets = 0;
        var i8042 = new I8042Controller(() => resets++);
        i8042.Write(I8042Controller.CommandOffset, [0xAA]);
        Span<byte> value = stackalloc byte[1];
        i8042.Read(0, value);
        Assert.That(value[0], Is.EqualTo(0x55), "self test passes");
        Assert.That(resets, Is.Zero);
        i8042.Write(I8042Controller.CommandOffset, [0xFE]);
        Assert.That(resets, Is.EqualTo(1));
    }

    [Test]
    public void I8042PortsBetweenDataAndCommandAreInert()
    {
        var resets = 0;
        var i8042 = new I8042Controller(() => resets++);
        i8042.Write(2, [0xFE]);
        Span<byte> value = stackalloc byte[1];
        i8042.Read(3, value);
        Assert.That((resets, value[0]), Is.EqualTo((0, (byte)0xFF)));
    }

    [Test]
    public void I8042OutputPortWithResetLowReboots()
    {
        var resets = 0;
        var i8042 = new I8042Controller(() => resets++);
        i8042.Write(I8042Controller.CommandOffset, [0xD1]);
        i8042.Write(0, [0x00]);
        Assert.That(resets, Is.EqualTo(1));
    }
}
