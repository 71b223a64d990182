using Concierge.Vmm.Devices.Pci;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Devices.Pci;

[TestFixture, Category("Unit")]
public sealed class PciConfigIoTests
{
    [Test]
    public void ConfigAddressRegisterReadsBackLikeLinuxConf1ProbeExpects()
    {
        var bus = new PciRootBus();
        bus.ConfigIo.Write(3, [0x01]); // Linux's probe pokes 0xCFB first; harmless
        bus.ConfigIo.Write(0, [0x00, 0x00, 0x00, 0x80]);
        var value = new byte[4];
        bus.ConfigIo.Read(0, value);
        Assert.That(BitConverter.ToUInt32(value), Is.EqualTo(0x8000_0000u));
    }

    [Test]
    public void HostBridgeSitsAtSlotZero()
    {
        var guest = new PciGuest(new PciRootBus());
        Assert.That(guest.ConfigRead16(0, 0x00), Is.EqualTo(PciHostBridge.VendorId));
        Assert.That(guest.ConfigRead16(0, 0x0A), Is.EqualTo(0x0600), "class: host bridge (Linux pci_sanity_check)");
        Assert.That(guest.ConfigRead8(0, 0x0E), Is.Zero, "single function");
    }

    [Test]
    public void EmptySlotsOtherFunctionsAndBusesReadAllOnes()
    {
        var bus = new PciRootBus();
        var guest = new PciGuest(bus);
        Assert.That(guest.ConfigRead32(7, 0), Is.EqualTo(0xFFFF_FFFFu));
        bus.ConfigIo.Write(0, BitConverter.GetBytes(0x8000_0100u)); // 00:00.1
        var data = new byte[4];
        bus.ConfigIo.Read(4, data);
        Assert.That(BitConverter.ToUInt32(data), Is.EqualTo(0xFFFF_FFFFu));
        bus.ConfigIo.Write(0, BitConverter.GetBytes(0x8001_0000u)); // bus 1
        bus.ConfigIo.Read(4, data);
        Assert.That(BitConverter.ToUInt32(data), Is.EqualTo(0xFFFF_FFFFu));
        bus.ConfigIo.Write(0, BitConverter.GetBytes(0x0000_0000u)); // enable bit clear
        bus.ConfigIo.Read(4, data);
        Assert.That(BitConverter.ToUInt32(data), Is.EqualTo(0xFFFF_FFFFu));
    }

    [Test]
    public void ReadOnlyFieldsIgnoreWrites()
    {
        var guest = new PciGuest(new PciRootBus());
        guest.ConfigWrite32(0, 0x00, 0x1234_5678);
        guest.ConfigWrite32(0, 0x08, 0xFFFF_FFFF);
        Assert.That(guest.ConfigRead16(0, 0x00), Is.EqualTo(PciHostBridge.VendorId));
        Assert.That(guest.ConfigRead16(0, 0x0A), Is.EqualTo(0x0600));
    }

    [Test]
    public void HostileAccessesNeverThrow()
    {
        var bus = new PciRootBus();
        foreach (var offset in new ulong[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 100, ulong.MaxValue })
        {
            foreach (var length in new[] { 0, 1, 2, 3, 4, 8 })
            {
                Assert.DoesNotThrow(() => bus.ConfigIo.Read(offset, new byte[length]));
                Assert.DoesNotThrow(() => bus.ConfigIo.Write(offset, new byte[length]));
                Assert.DoesNotThrow(() => bus.MmioWindow.Read(offset, new byte[length]));
                Assert.DoesNotThrow(() => bus.MmioWindow.Write(offset, new byte[length]));
            }
        }
        bus.ConfigIo.Write(0, BitConverter.GetBytes(0x8000_00FCu));
        Assert.DoesNotThrow(() => bus.ConfigIo.Read(7, new byte[4]), "a dword at register 0xFF runs past the space");
    }
}
