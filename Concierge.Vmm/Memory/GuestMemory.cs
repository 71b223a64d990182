using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Concierge.Vmm.Memory;

/// <summary>
/// The guest's RAM, and the only way the monitor reads or writes it. Every access names a
/// guest-physical range that is checked to lie wholly inside one region before a Span over it
/// is handed out, so a hostile address or length becomes a <see cref="GuestMemoryAccessException"/>,
/// never a stray host access.
/// </summary>
/// <remarks>
/// x86 layout: RAM runs from 0 up to <see cref="MmioHoleStart"/>; whatever does not fit there
/// continues at 4 GiB, leaving [3 GiB, 4 GiB) for device MMIO (PCI BARs, IOAPIC, LAPIC).
/// Spans stay valid until the VM is disposed, which happens only after its vCPUs and devices stop.
/// </remarks>
public sealed class GuestMemory : IDisposable
{
    /// <summary>Start of the MMIO hole below 4 GiB: no RAM is placed in [MmioHoleStart, 4 GiB).</summary>
    public const ulong MmioHoleStart = 0xC000_0000;

    /// <summary>Where RAM resumes above the hole.</summary>
    public const ulong HighMemoryStart = 0x1_0000_0000;

    private readonly AnonymousMapping[] _mappings;
    private readonly GuestMemoryRegion[] _regions;

    private GuestMemory(AnonymousMapping[] mappings, GuestMemoryRegion[] regions)
    {
        _mappings = mappings;
        _regions = regions;
        Size = regions.Aggregate(0UL, (sum, region) => sum + region.Size);
    }

    /// <summary>Total bytes of guest RAM.</summary>
    public ulong Size { get; }

    /// <summary>The RAM regions in ascending guest-physical order (one KVM memory slot each).</summary>
    public IReadOnlyList<GuestMemoryRegion> Regions => _regions;

    /// <summary>Allocates <paramref name="size"/> bytes of zeroed guest RAM laid out around the MMIO hole.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is zero or not a multiple of 4 KiB.</exception>
    public static GuestMemory Create(ulong size)
    {
        if (size == 0 || size % 4096 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "guest RAM must be a non-zero multiple of 4 KiB");
        }
        var lowSize = Math.Min(size, MmioHoleStart);
        var layout = lowSize == size
            ? new[] { (Address: 0UL, Size: size) }
            : new[] { (Address: 0UL, Size: lowSize), (Address: HighMemoryStart, Size: size - lowSize) };

        var mappings = new List<AnonymousMapping>(layout.Length);
        try
        {
            foreach (var part in layout)
            {
                mappings.Add(AnonymousMapping.Create(part.Size));
            }
        }
        catch
        {
            mappings.ForEach(mapping => mapping.Dispose());
            throw;
        }
        var regions = layout
            .Select((part, i) => new GuestMemoryRegion(part.Address, part.Size, mappings[i].DangerousGetHandle()))
            .ToArray();
        return new GuestMemory([.. mappings], regions);
    }

    /// <summary>True when [<paramref name="address"/>, +<paramref name="length"/>) lies wholly inside one RAM region.</summary>
    public bool Contains(ulong address, ulong length) => FindRegion(address, length) >= 0;

    /// <summary>
    /// A writable view of [<paramref name="address"/>, +<paramref name="length"/>).
    /// The guest can change these bytes at any time: copy a field out once, then validate the copy.
    /// </summary>
    /// <exception cref="GuestMemoryAccessException">The range is not wholly inside one RAM region.</exception>
    public Span<byte> GetSpan(ulong address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var index = FindRegion(address, (ulong)length);
        if (index < 0)
        {
            ThrowOutOfRange(address, (ulong)length);
        }
        var region = _regions[index];
        unsafe
        {
            // SAFETY: FindRegion proved [address, +length) lies inside this region's live mapping,
            // which stays mapped until Dispose (after every vCPU and device has stopped).
            return new Span<byte>((byte*)region.HostAddress + (address - region.GuestAddress), length);
        }
    }

    /// <summary>Copies guest memory at <paramref name="address"/> into <paramref name="destination"/>.</summary>
    public void Read(ulong address, Span<byte> destination) => GetSpan(address, destination.Length).CopyTo(destination);

    /// <summary>Copies <paramref name="source"/> into guest memory at <paramref name="address"/>.</summary>
    public void Write(ulong address, ReadOnlySpan<byte> source) => source.CopyTo(GetSpan(address, source.Length));

    /// <summary>Reads one little-endian value of type <typeparamref name="T"/> (a plain struct) at <paramref name="address"/>.</summary>
    public T Read<T>(ulong address) where T : unmanaged =>
        MemoryMarshal.Read<T>(GetSpan(address, Unsafe.SizeOf<T>()));

    /// <summary>Writes one value of type <typeparamref name="T"/> (a plain struct) at <paramref name="address"/>.</summary>
    public void Write<T>(ulong address, T value) where T : unmanaged =>
        MemoryMarshal.Write(GetSpan(address, Unsafe.SizeOf<T>()), in value);

    /// <summary>
    /// A reference to the naturally aligned value of type <typeparamref name="T"/> at <paramref name="address"/>,
    /// for atomic and volatile access to fields the guest shares with us (virtqueue indexes).
    /// </summary>
    /// <exception cref="GuestMemoryAccessException">Out of RAM, or not aligned to the size of <typeparamref name="T"/>.</exception>
    public ref T GetAlignedRef<T>(ulong address) where T : unmanaged
    {
        var size = Unsafe.SizeOf<T>();
        if (address % (ulong)size != 0)
        {
            throw new GuestMemoryAccessException($"guest address 0x{address:x} is not aligned to {size} bytes");
        }
        return ref MemoryMarshal.AsRef<T>(GetSpan(address, size));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var mapping in _mappings)
        {
            mapping.Dispose();
        }
    }

    private int FindRegion(ulong address, ulong length)
    {
        for (var i = 0; i < _regions.Length; i++)
        {
            if (_regions[i].Contains(address, length))
            {
                return i;
            }
        }
        return -1;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowOutOfRange(ulong address, ulong length) => throw new GuestMemoryAccessException(address, length);
}
