namespace Concierge.Vmm.Devices;

/// <summary>
/// Maps address ranges (I/O ports or guest-physical MMIO) to devices. Filled while the VM is
/// built, then frozen: lookups from vCPU threads take no lock.
/// </summary>
public sealed class DeviceBus
{
    private readonly string _name;
    private readonly List<BusRange> _ranges = [];
    private BusRange[] _frozen = [];
    private bool _isFrozen;

    /// <summary>Creates an empty bus; <paramref name="name"/> ("port I/O", "MMIO") appears in errors.</summary>
    public DeviceBus(string name) => _name = name;

    /// <summary>Registers <paramref name="device"/> for [<paramref name="start"/>, +<paramref name="length"/>).</summary>
    /// <exception cref="InvalidOperationException">The bus is frozen, or the range overlaps another device's.</exception>
    public void Register(ulong start, ulong length, IBusDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (_isFrozen)
        {
            throw new InvalidOperationException($"the {_name} bus is frozen once the VM is built");
        }
        if (length == 0 || start + length < start)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"bad {_name} range at 0x{start:x}");
        }
        var range = new BusRange(start, length, device);
        var clash = _ranges.FirstOrDefault(other => other.Start < range.End && range.Start < other.End);
        if (clash.Device is not null)
        {
            throw new InvalidOperationException(
                $"{_name} range 0x{start:x}+0x{length:x} overlaps 0x{clash.Start:x}+0x{clash.Length:x} ({clash.Device.GetType().Name})");
        }
        _ranges.Add(range);
    }

    /// <summary>Stops registrations and sorts the ranges for lookup.</summary>
    public void Freeze()
    {
        _frozen = [.. _ranges.OrderBy(range => range.Start)];
        _isFrozen = true;
    }

    /// <summary>Finds the device whose range holds <paramref name="address"/>, with the offset inside it.</summary>
    public bool TryFind(ulong address, out IBusDevice device, out ulong offset)
    {
        var ranges = _frozen;
        int low = 0, high = ranges.Length - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var range = ranges[mid];
            if (address < range.Start)
            {
                high = mid - 1;
            }
            else if (address >= range.End)
            {
                low = mid + 1;
            }
            else
            {
                device = range.Device;
                offset = address - range.Start;
                return true;
            }
        }
        device = null!;
        offset = 0;
        return false;
    }

    private readonly record struct BusRange(ulong Start, ulong Length, IBusDevice Device)
    {
        public ulong End => Start + Length;
    }
}
