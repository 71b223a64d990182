namespace Concierge.Vmm.Devices.Pci;

/// <summary>The per-queue fields of the virtio-pci common config, as the driver programmed them (unvalidated).</summary>
internal sealed class VirtioPciQueueRegisters
{
    public VirtioPciQueueRegisters(ushort maxSize) => Size = maxSize;

    public ushort Size { get; set; }

    /// <summary>Read by the device worker when it interrupts: kept in a field read atomically.</summary>
    public volatile ushort MsixVector = MsixTable.NoVector;

    public bool Enabled { get; set; }

    public ulong DescriptorTable { get; set; }

    public ulong AvailableRing { get; set; }

    public ulong UsedRing { get; set; }
}
