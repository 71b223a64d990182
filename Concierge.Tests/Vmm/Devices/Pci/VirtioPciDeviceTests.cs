using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Pci;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Block;
using Concierge.Vmm.Devices.Virtio.Rng;
using Concierge.Vmm.Memory;
using NUnit.Framework;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Pci;

[TestFixture, Category("Unit")]
public sealed class VirtioPciDeviceTests
{
    private GuestMemory _memory = null!;
    private PciRootBus _bus = null!;
    private PciGuest _guest = null!;
    private RecordingMsiSignaler _msi = null!;
    private VirtioPciDevice? _device;
    private readonly List<string> _images = [];

    [SetUp]
    public void SetUp()
    {
        _memory = GuestMemory.Create(8 << 20);
        _bus = new PciRootBus();
        _guest = new PciGuest(_bus);
        _msi = new RecordingMsiSignaler();
    }

    [TearDown]
    public void TearDown()
    {
        _device?.Dispose();
        _memory.Dispose();
        _images.ForEach(File.Delete);
    }

    private int Plug(VirtioDevice device)
    {
        _device = new VirtioPciDevice(device, _memory, _msi, _bus.AllocateBar(VirtioPciDevice.BarSize));
        return _bus.Attach(_device);
    }

    [Test]
    public void IdentifiesAsAModernVirtioDevice()
    {
        var slot = Plug(new RngDevice());
        Assert.That(_guest.ConfigRead16(slot, 0x00), Is.EqualTo(0x1AF4));
        Assert.That(_guest.ConfigRead16(slot, 0x02), Is.EqualTo(0x1044));
        Assert.That(_guest.ConfigRead8(slot, 0x08), Is.GreaterThanOrEqualTo(1), "revision >= 1: non-transitional");
        Assert.That(_guest.ConfigRead8(slot, 0x3D), Is.Zero, "no INTx pin: MSI-X only");
    }

    [Test]
    public void BlockDeviceIdIsBasePlusType()
    {
        var slot = Plug(new BlockDevice(DiskImage.Open(TempImage(), readOnly: true), "x"));
        Assert.That(_guest.ConfigRead16(slot, 0x02), Is.EqualTo(0x1042));
        Assert.That(_guest.ConfigRead32(slot, 0x08) >> 8, Is.EqualTo(0x018000u));
    }

    [Test]
    public void CapabilityListHasEveryVirtioStructureAndMsix()
    {
        var slot = Plug(new BlockDevice(DiskImage.Open(TempImage(), readOnly: false), "x"));
        var caps = _guest.Capabilities(slot);
        var vendorTypes = caps.Where(c => c.Id == 0x09).Select(c => _guest.ConfigRead8(slot, c.Offset + 3)).ToArray();
        Assert.That(vendorTypes, Is.EquivalentTo(new byte[] { 1, 2, 3, 4 }));
        Assert.That(caps.Count(c => c.Id == 0x11), Is.EqualTo(1));
        foreach (var (offset, id) in caps.Where(c => c.Id == 0x09))
        {
            Assert.That(_guest.ConfigRead8(slot, offset + 4), Is.Zero, "all structures live in BAR 0");
            var start = _guest.ConfigRead32(slot, offset + 8);
            var length = _guest.ConfigRead32(slot, offset + 12);
            Assert.That(start % 4, Is.Zero);
            Assert.That(start + length, Is.LessThanOrEqualTo(VirtioPciDevice.BarSize));
        }
        var common = caps.First(c => c.Id == 0x09 && _guest.ConfigRead8(slot, c.Offset + 3) == 1);
        Assert.That(_guest.ConfigRead32(slot, common.Offset + 12), Is.GreaterThanOrEqualTo(56u), "Linux maps at least sizeof(virtio_pci_common_cfg)");
        var msix = caps.First(c => c.Id == 0x11);
        Assert.That((_guest.ConfigRead16(slot, msix.Offset + 2) & 0x7FF) + 1, Is.EqualTo(2), "one vector per queue plus config");
    }

    [Test]
    public void BarSizingReadsBackTheSizeMask()
    {
        var slot = Plug(new RngDevice());
        var original = _guest.ConfigRead32(slot, 0x10);
        Assert.That(original, Is.InRange((uint)PciRootBus.MmioWindowStart, (uint)(PciRootBus.MmioWindowStart + PciRootBus.MmioWindowSize - 1)));
        Assert.That(original & 0xF, Is.Zero, "32-bit non-prefetchable memory BAR");
        _guest.ConfigWrite32(slot, 0x10, 0xFFFF_FFFF);
        Assert.That(_guest.ConfigRead32(slot, 0x10), Is.EqualTo(~(VirtioPciDevice.BarSize - 1)));
        _guest.ConfigWrite32(slot, 0x10, original);
        Assert.That(_guest.ConfigRead32(slot, 0x10), Is.EqualTo(original));
        for (var bar = 1; bar < 6; bar++)
        {
            _guest.ConfigWrite32(slot, 0x10 + (4 * bar), 0xFFFF_FFFF);
            Assert.That(_guest.ConfigRead32(slot, 0x10 + (4 * bar)), Is.Zero, $"BAR {bar} is not implemented");
        }
    }

    [Test]
    public void BarDecodesOnlyWithMemorySpaceEnabledAndFollowsAMove()
    {
        var slot = Plug(new RngDevice());
        var driver = new VirtioPciDriver(_guest, slot);
        Assert.That(_guest.MmioRead16(driver.Common + 18), Is.EqualTo(0xFFFF), "decoding is off after reset");
        _guest.ConfigWrite16(slot, 0x04, 0x0002);
        Assert.That(_guest.MmioRead16(driver.Common + 18), Is.EqualTo(1), "num_queues");

        var moved = (uint)PciRootBus.MmioWindowStart + 0x0800_0000;
        _guest.ConfigWrite32(slot, 0x10, moved);
        Assert.That(_guest.MmioRead16(moved + 18), Is.EqualTo(1));
        Assert.That(_guest.MmioRead16(driver.Common + 18), Is.EqualTo(0xFFFF));
    }

    [Test]
    public void RngServesRequestsAndInterruptsThroughMsix()
    {
        var slot = Plug(new RngDevice());
        var driver = new VirtioPciDriver(_guest, slot);
        var queue = new TestVirtQueue(_memory, 0x10_0000, 64);
        driver.BringUp([queue]);
        Assert.That(driver.Status, Is.EqualTo(1 | 2 | 4 | 8));

        var buffer = queue.Allocate(64);
        queue.AddChain(Buffer.In(buffer, 64));
        driver.Kick(0);

        Assert.That(queue.WaitForUsed(1), Is.True);
        Assert.That(_msi.WaitFor(VirtioPciDriver.MsiData(0)), Is.True);
        Assert.That(_msi.Messages.First().Address, Is.EqualTo(VirtioPciDriver.MsiAddress));
        Assert.That(_memory.GetSpan(buffer, 64).ToArray(), Is.Not.All.EqualTo(0));
    }

    [Test]
    public void OfferedFeaturesIncludeVersion1AndEventIndexButNotIndirect()
    {
        var slot = Plug(new RngDevice());
        _guest.ConfigWrite16(slot, 0x04, 0x0002);
        var features = new VirtioPciDriver(_guest, slot).DeviceFeatures();
        Assert.That(features & VirtioFeatures.Version1, Is.Not.Zero);
        Assert.That(features & VirtioFeatures.RingEventIndex, Is.Not.Zero);
        Assert.That(features & VirtioFeatures.IndirectDescriptors, Is.Zero);
    }

    [Test]
    public void FeaturesWithoutVersion1OrUnofferedAreRefused()
    {
        var slot = Plug(new RngDevice());
        var driver = new VirtioPciDriver(_guest, slot);
        _guest.ConfigWrite16(slot, 0x04, 0x0002);
        Assert.That(driver.Negotiate(0), Is.False, "legacy drivers are refused");
        Assert.That(driver.Negotiate(VirtioFeatures.Version1 | VirtioFeatures.IndirectDescriptors), Is.False);
        Assert.That(driver.Negotiate(VirtioFeatures.Version1), Is.True);
    }

    [Test]
    public void VectorsBeyondTheTableReadBackAsNoVector()
    {
        var slot = Plug(new RngDevice());
        var driver = new VirtioPciDriver(_guest, slot);
        driver.EnableMsix(2);
        Assert.That(driver.SetConfigVector(1), Is.EqualTo(1));
        Assert.That(driver.SetConfigVector(2), Is.EqualTo(MsixTable.NoVector));
        Assert.That(driver.SetUpQueue(0, new TestVirtQueue(_memory, 0x10_0000, 16), 7), Is.EqualTo(MsixTable.NoVector));
    }

    [Test]
    public void BadQueueSizeSetsNeedsResetAndSignalsConfigChange()
    {
        var slot = Plug(new RngDevice());
        var driver = new VirtioPciDriver(_guest, slot);
        var queue = new TestVirtQueue(_memory, 0x10_0000, 16);
        driver.EnableMsix(2);
        Assert.That(driver.Negotiate(driver.DeviceFeatures()), Is.True);
        driver.SetConfigVector(1);
        driver.SetUpQueue(0, queue, 0);
        _guest.MmioWrite16(driver.Common + 24, 3); // not a power of two
        driver.DriverOk();

        Assert.That(driver.Status & 0x40, Is.Not.Zero, "DEVICE_NEEDS_RESET");
        Assert.That(_msi.WaitFor(VirtioPciDriver.MsiData(1)), Is.True, "config-change interrupt");
        Assert.That(_device!.Device.BrokenReason, Does.Contain("power of two"));
        Assert.That(_guest.MmioRead8(driver.Isr) & 2, Is.Not.Zero, "ISR config bit, cleared by the read");
        Assert.That(_guest.MmioRead8(driver.Isr), Is.Zero);

        _guest.MmioWrite8(driver.Common + 20, 0);
        Assert.That(driver.Status, Is.Zero, "reset clears NEEDS_RESET");
        Assert.That(_device.Device.BrokenReason, Is.Null);
        driver.BringUp([queue]);
        queue.AddChain(Buffer.In(queue.Allocate(8), 8));
        driver.Kick(0);
        Assert.That(queue.WaitForUsed(1), Is.True, "the device works again after reset");
    }

    [Test]
    public void GuestFaultInARingSetsNeedsReset()
    {
        var slot = Plug(new RngDevice());
        var driver = new VirtioPciDriver(_guest, slot);
        var queue = new TestVirtQueue(_memory, 0x10_0000, 16);
        driver.BringUp([queue]);
        queue.SetAvailableIndex(999);
        driver.Kick(0);
        Assert.That(SpinWait.SpinUntil(() => (driver.Status & 0x40) != 0, TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(_device!.Device.BrokenReason, Does.Contain("exceed the queue size"));
    }

    [Test]
    public void MaskedVectorIsHeldPendingAndDeliveredOnUnmask()
    {
        var slot = Plug(new RngDevice());
        var driver = new VirtioPciDriver(_guest, slot);
        var queue = new TestVirtQueue(_memory, 0x10_0000, 16);
        driver.BringUp([queue]);
        _guest.MmioWrite32(driver.MsixTable + 12, 1); // mask vector 0
        queue.AddChain(Buffer.In(queue.Allocate(8), 8));
        driver.Kick(0);
        Assert.That(queue.WaitForUsed(1), Is.True);
        Assert.That(SpinWait.SpinUntil(() => (_guest.MmioRead8(driver.MsixTable + 0x1000) & 1) != 0, TimeSpan.FromSeconds(10)), Is.True, "PBA bit 0");
        Assert.That(_msi.Messages, Is.Empty);

        _guest.MmioWrite32(driver.MsixTable + 12, 0);
        Assert.That(_msi.Messages.Select(m => m.Data), Is.EqualTo(new[] { VirtioPciDriver.MsiData(0) }));
        Assert.That(_guest.MmioRead8(driver.MsixTable + 0x1000), Is.Zero);
    }

    [Test]
    public void QueueRegistersAreFrozenAfterDriverOk()
    {
        var slot = Plug(new RngDevice());
        var driver = new VirtioPciDriver(_guest, slot);
        var queue = new TestVirtQueue(_memory, 0x10_0000, 16);
        driver.BringUp([queue]);
        _guest.MmioWrite32(driver.Common + 32, 0xDEAD_0000);
        Assert.That(_guest.MmioRead32(driver.Common + 32), Is.EqualTo((uint)queue.Layout.DescriptorTable));
    }

    [Test]
    public void HostileBarAccessesNeverThrow()
    {
        var slot = Plug(new RngDevice());
        _guest.ConfigWrite16(slot, 0x04, 0x0002);
        var bar = _guest.ConfigRead32(slot, 0x10);
        foreach (var offset in new ulong[] { 0, 3, 17, 20, 0x37, 0x38, 0x1000, 0x1FFF, 0x2000, 0x2FFF, 0x3000, 0x3FFF, 0x4000, 0x4FF8, 0x5000, 0x7FFF })
        {
            foreach (var length in new[] { 1, 2, 3, 4, 8 })
            {
                Assert.DoesNotThrow(() => _guest.MmioRead(bar + offset, length));
                Assert.DoesNotThrow(() => _guest.MmioWrite(bar + offset, Enumerable.Repeat((byte)0xFF, length).ToArray()));
            }
        }
    }

    private string TempImage()
    {
        var path = Path.Combine(Path.GetTempPath(), $"concierge-pci-{Guid.NewGuid():N}.img");
        File.WriteAllBytes(path, new byte[8192]);
        _images.Add(path);
        return path;
    }
}
