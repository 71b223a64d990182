namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// One function on the PCI root bus as the bus sees it: configuration accesses, and accesses to
/// its memory BARs once <see cref="ConfigSpace"/> decodes them. Called on vCPU threads; must not
/// throw for anything the guest can cause.
/// </summary>
public interface IPciFunction
{
    /// <summary>The function's configuration header (identity, BARs, capabilities).</summary>
    PciConfigSpace ConfigSpace { get; }

    /// <summary>The guest reads configuration bytes at <paramref name="offset"/>.</summary>
    void ReadConfig(int offset, Span<byte> data);

    /// <summary>The guest writes configuration bytes at <paramref name="offset"/>.</summary>
    void WriteConfig(int offset, ReadOnlySpan<byte> data);

    /// <summary>The guest reads BAR <paramref name="bar"/> at <paramref name="offset"/>.</summary>
    void ReadBar(int bar, ulong offset, Span<byte> data);

    /// <summary>The guest writes BAR <paramref name="bar"/> at <paramref name="offset"/>.</summary>
    void WriteBar(int bar, ulong offset, ReadOnlySpan<byte> data);
}
