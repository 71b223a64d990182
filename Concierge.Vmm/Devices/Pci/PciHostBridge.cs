namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// Device 00.0: a host bridge with no BARs. Linux's conf1 probe (pci_sanity_check) looks for a
/// function of class "host bridge" on bus 0 before trusting mechanism #1.
/// </summary>
public sealed class PciHostBridge : IPciFunction
{
    /// <summary>PCI class code of a host bridge (class 06, subclass 00).</summary>
    public const uint HostBridgeClass = 0x06_00_00;

    /// <summary>Red Hat's vendor ID and its generic PCIe host bridge device ID (no Linux quirks attach to it).</summary>
    public const ushort VendorId = 0x1B36;

    /// <summary>Device ID of the generic host bridge.</summary>
    public const ushort DeviceId = 0x0008;

    /// <inheritdoc />
    public PciConfigSpace ConfigSpace { get; } = new(VendorId, DeviceId, HostBridgeClass, revision: 0, subsystemVendorId: VendorId, subsystemId: 0);

    /// <inheritdoc />
    public void ReadConfig(int offset, Span<byte> data) => ConfigSpace.Read(offset, data);

    /// <inheritdoc />
    public void WriteConfig(int offset, ReadOnlySpan<byte> data) => ConfigSpace.Write(offset, data);

    /// <inheritdoc />
    public void ReadBar(int bar, ulong offset, Span<byte> data) => data.Fill(0xFF);

    /// <inheritdoc />
    public void WriteBar(int bar, ulong offset, ReadOnlySpan<byte> data)
    {
    }
}
