using Concierge.Tests.Vmm.Devices.Virtio.TestKit;

namespace Concierge.Tests.Vmm.Devices.Pci;

/// <summary>
/// Brings up a virtio-pci modern device the way Linux's virtio_pci_modern does: find the
/// capabilities, enable memory decoding and MSI-X, negotiate features, program each queue and
/// its vector, set DRIVER_OK, and kick through the notify area.
/// </summary>
public sealed class VirtioPciDriver
{
    private readonly PciGuest _guest;
    private readonly int _slot;

    public VirtioPciDriver(PciGuest guest, int slot)
    {
        _guest = guest;
        _slot = slot;
        var bar = guest.ConfigRead32(slot, 0x10) & ~0xFu;
        foreach (var (offset, id) in guest.Capabilities(slot))
        {
            if (id == 0x11)
            {
                MsixCapability = offset;
                MsixTable = bar + (guest.ConfigRead32(slot, offset + 4) & ~7u);
                continue;
            }
            var type = guest.ConfigRead8(slot, offset + 3);
            var address = bar + guest.ConfigRead32(slot, offset + 8);
            switch (type)
            {
                case 1: Common = address; break;
                case 2: Notify = address; NotifyMultiplier = guest.ConfigRead32(slot, offset + 16); break;
                case 3: Isr = address; break;
                case 4: DeviceConfig = address; break;
            }
        }
    }

    public ulong Common { get; }

    public ulong Notify { get; }

    public uint NotifyMultiplier { get; }

    public ulong Isr { get; }

    public ulong DeviceConfig { get; }

    public int MsixCapability { get; }

    public ulong MsixTable { get; }

    public byte Status => _guest.MmioRead8(Common + 20);

    public const uint MsiAddress = 0xFEE0_0000;

    /// <summary>Vector v's message data is 0x40 + v, so tests can tell interrupts apart.</summary>
    public static uint MsiData(int vector) => 0x40u + (uint)vector;

    /// <summary>Enables decoding and MSI-X with every vector programmed and unmasked.</summary>
    public void EnableMsix(int vectors)
    {
        _guest.ConfigWrite16(_slot, 0x04, 0x0006);
        for (var v = 0; v < vectors; v++)
        {
            var entry = MsixTable + (16UL * (ulong)v);
            _guest.MmioWrite32(entry, MsiAddress);
            _guest.MmioWrite32(entry + 4, 0);
            _guest.MmioWrite32(entry + 8, MsiData(v));
            _guest.MmioWrite32(entry + 12, 0);
        }
        _guest.ConfigWrite16(_slot, MsixCapability + 2, 0x8000);
    }

    /// <summary>Negotiates <paramref name="features"/>; returns whether the device kept FEATURES_OK.</summary>
    public bool Negotiate(ulong features)
    {
        _guest.MmioWrite8(Common + 20, 0);
        _guest.MmioWrite8(Common + 20, 1);
        _guest.MmioWrite8(Common + 20, 1 | 2);
        _guest.MmioWrite32(Common + 8, 0);
        _guest.MmioWrite32(Common + 12, (uint)features);
        _guest.MmioWrite32(Common + 8, 1);
        _guest.MmioWrite32(Common + 12, (uint)(features >> 32));
        _guest.MmioWrite8(Common + 20, 1 | 2 | 8);
        return (Status & 8) != 0;
    }

    public ulong DeviceFeatures()
    {
        _guest.MmioWrite32(Common, 0);
        ulong low = _guest.MmioRead32(Common + 4);
        _guest.MmioWrite32(Common, 1);
        return low | ((ulong)_guest.MmioRead32(Common + 4) << 32);
    }

    public ushort QueueCount => _guest.MmioRead16(Common + 18);

    /// <summary>Programs queue <paramref name="index"/> from <paramref name="queue"/> with MSI-X vector <paramref name="vector"/>; returns the vector read back.</summary>
    public ushort SetUpQueue(int index, TestVirtQueue queue, ushort vector)
    {
        _guest.MmioWrite16(Common + 22, (ushort)index);
        _guest.MmioWrite16(Common + 24, queue.Layout.Size);
        WriteAddress(Common + 32, queue.Layout.DescriptorTable);
        WriteAddress(Common + 40, queue.Layout.AvailableRing);
        WriteAddress(Common + 48, queue.Layout.UsedRing);
        _guest.MmioWrite16(Common + 26, vector);
        var readBack = _guest.MmioRead16(Common + 26);
        _guest.MmioWrite16(Common + 28, 1);
        return readBack;
    }

    public ushort SetConfigVector(ushort vector)
    {
        _guest.MmioWrite16(Common + 16, vector);
        return _guest.MmioRead16(Common + 16);
    }

    public void DriverOk() => _guest.MmioWrite8(Common + 20, 1 | 2 | 8 | 4);

    public void Kick(int queue)
    {
        _guest.MmioWrite16(Common + 22, (ushort)queue);
        var offset = _guest.MmioRead16(Common + 30);
        _guest.MmioWrite16(Notify + (offset * NotifyMultiplier), (ushort)queue);
    }

    /// <summary>Initialises the device with all offered transport-compatible features and the given queues.</summary>
    public void BringUp(IReadOnlyList<TestVirtQueue> queues)
    {
        EnableMsix(queues.Count + 1);
        if (!Negotiate(DeviceFeatures()))
        {
            throw new InvalidOperationException("device refused its own features");
        }
        SetConfigVector((ushort)queues.Count);
        for (var i = 0; i < queues.Count; i++)
        {
            SetUpQueue(i, queues[i], (ushort)i);
        }
        DriverOk();
    }

    private void WriteAddress(ulong register, ulong value)
    {
        _guest.MmioWrite32(register, (uint)value);
        _guest.MmioWrite32(register + 4, (uint)(value >> 32));
    }
}
