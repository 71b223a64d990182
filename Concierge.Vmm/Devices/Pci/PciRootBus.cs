namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// PCI bus 0: a host bridge at 00.0 plus up to 31 single-function devices, reached through
/// configuration mechanism #1 (<see cref="ConfigIo"/> on ports 0xCF8-0xCFF) and one MMIO window
/// (<see cref="MmioWindow"/>) in which BARs are pre-assigned. The window is a single bus range,
/// so the guest moving a BAR inside it needs nothing from the VM. <see cref="VmBuilder"/> creates
/// it when a spec declares virtio devices and registers both with the VM.
/// </summary>
public sealed class PciRootBus
{
    /// <summary>First I/O port of mechanism #1 (CONFIG_ADDRESS; CONFIG_DATA is at +4).</summary>
    public const ushort ConfigIoPort = 0xCF8;

    /// <summary>Ports of mechanism #1.</summary>
    public const int ConfigIoPortCount = 8;

    /// <summary>Start of the BAR window: the bottom of the MMIO hole below 4 GiB.</summary>
    public const ulong MmioWindowStart = 0xC000_0000;

    /// <summary>Size of the BAR window (well below the IOAPIC at 0xFEC00000).</summary>
    public const ulong MmioWindowSize = 0x1000_0000;

    /// <summary>Device slots on the bus.</summary>
    public const int SlotCount = 32;

    private readonly IPciFunction?[] _slots = new IPciFunction?[SlotCount];
    private readonly object _lock = new();
    private ulong _nextBarAddress = MmioWindowStart;

    /// <summary>Creates the bus with its host bridge at slot 0.</summary>
    public PciRootBus()
    {
        _slots[0] = new PciHostBridge();
        ConfigIo = new PciConfigIo(this);
        MmioWindow = new PciMmioWindow(this);
    }

    /// <summary>Register at I/O ports [<see cref="ConfigIoPort"/>, +<see cref="ConfigIoPortCount"/>).</summary>
    public IBusDevice ConfigIo { get; }

    /// <summary>Register at MMIO [<see cref="MmioWindowStart"/>, +<see cref="MmioWindowSize"/>).</summary>
    public IBusDevice MmioWindow { get; }

    /// <summary>Reserves a naturally aligned range of <paramref name="size"/> bytes in the window for a BAR.</summary>
    /// <exception cref="InvalidOperationException">The window is full.</exception>
    public uint AllocateBar(uint size)
    {
        lock (_lock)
        {
            var address = (_nextBarAddress + size - 1) & ~((ulong)size - 1);
            if (address + size > MmioWindowStart + MmioWindowSize)
            {
                throw new InvalidOperationException("the PCI MMIO window is full");
            }
            _nextBarAddress = address + size;
            return (uint)address;
        }
    }

    /// <summary>Plugs <paramref name="function"/> into the first free slot and returns the slot (device number).</summary>
    /// <exception cref="InvalidOperationException">All slots are taken.</exception>
    public int Attach(IPciFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        lock (_lock)
        {
            for (var slot = 1; slot < SlotCount; slot++)
            {
                if (_slots[slot] is null)
                {
                    _slots[slot] = function;
                    return slot;
                }
            }
        }
        throw new InvalidOperationException("no free PCI slot");
    }

    /// <summary>The function in <paramref name="slot"/>, if any.</summary>
    public IPciFunction? Function(int slot) => slot is >= 0 and < SlotCount ? Volatile.Read(ref _slots[slot]) : null;
}
