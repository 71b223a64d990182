using System.Buffers.Binary;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Kvm;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// The virtio-pci modern transport (virtio 1.x, 4.1) for one <see cref="VirtioDevice"/>: vendor
/// 0x1AF4, device 0x1040 + type, one memory BAR holding the common config, ISR, device config,
/// notify area and MSI-X table, and the vendor capabilities that point into it. Interrupts are
/// MSI-X only (interrupt pin 0), delivered through <see cref="IMsiSignaler"/>.
/// </summary>
/// <remarks>
/// Threading: vCPU threads enter through config and BAR accesses, serialised by one lock; the
/// device's worker enters only through <see cref="IVirtioTransport"/>, which touches the MSI-X
/// table (own lock) and atomics, never that lock, so a reset that joins the worker cannot deadlock.
/// Owns the device: disposing the transport disposes it.
/// </remarks>
public sealed partial class VirtioPciDevice : IPciFunction, IVirtioTransport, IDisposable
{
    /// <summary>PCI vendor ID of virtio devices.</summary>
    public const ushort VirtioVendorId = 0x1AF4;

    /// <summary>Modern virtio PCI device IDs are this plus the virtio device type.</summary>
    public const ushort ModernDeviceIdBase = 0x1040;

    /// <summary>Size of BAR 0; allocate it with <see cref="PciRootBus.AllocateBar"/>.</summary>
    public const uint BarSize = VirtioPciLayout.BarSize;

    private const byte IsrQueue = 1;
    private const byte IsrConfig = 2;

    private readonly object _lock = new();
    private readonly GuestMemory _memory;
    private readonly MsixTable _msix;
    private readonly int _msixCapability;
    private readonly VirtioPciQueueRegisters[] _queues;
    private readonly uint _barAddress;
    private int _isr;
    private long _doorbellExits;
    private (int Queue, IQueueDoorbell Doorbell)? _directDoorbell;

    /// <summary>Wraps <paramref name="device"/> (owned) with BAR 0 at <paramref name="barAddress"/>.</summary>
    public VirtioPciDevice(VirtioDevice device, GuestMemory memory, IMsiSignaler msi, uint barAddress)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(memory);
        Device = device;
        _memory = memory;
        _barAddress = barAddress;
        _queues = Enumerable.Range(0, device.QueueCount).Select(i => new VirtioPciQueueRegisters(device.MaxQueueSize(i))).ToArray();
        _msix = new MsixTable(device.QueueCount + 1, msi);
        ConfigSpace = new PciConfigSpace(
            VirtioVendorId,
            (ushort)(ModernDeviceIdBase + (ushort)device.Type),
            ClassCode(device.Type),
            revision: 1,
            subsystemVendorId: VirtioVendorId,
            subsystemId: (ushort)device.Type);
        ConfigSpace.AddMemoryBar(0, BarSize, barAddress);
        AddVirtioCapability(VirtioPciLayout.CommonConfigType, VirtioPciLayout.CommonConfig, VirtioPciLayout.CommonConfigLength);
        AddVirtioCapability(VirtioPciLayout.NotifyConfigType, VirtioPciLayout.Notify, (uint)(VirtioPciLayout.NotifyOffsetMultiplier * device.QueueCount), VirtioPciLayout.NotifyOffsetMultiplier);
        AddVirtioCapability(VirtioPciLayout.IsrConfigType, VirtioPciLayout.Isr, VirtioPciLayout.IsrLength);
        if (device.ConfigSize > 0)
        {
            AddVirtioCapability(VirtioPciLayout.DeviceConfigType, VirtioPciLayout.DeviceConfig, (uint)device.ConfigSize);
        }
        _msixCapability = AddMsixCapability();
    }

    /// <summary>The device this transport carries.</summary>
    public VirtioDevice Device { get; }

    /// <inheritdoc />
    public PciConfigSpace ConfigSpace { get; }

    /// <summary>The device status byte as the guest last left it (plus DEVICE_NEEDS_RESET if the device broke).</summary>
    public VirtioDeviceStatus Status => (VirtioDeviceStatus)Volatile.Read(ref _status);

    /// <summary>
    /// Doorbell writes that reached user space as MMIO exits instead of completing in the kernel
    /// through the queue's ioeventfd (each costs a full exit of the vCPU; expected to stay 0).
    /// </summary>
    public long DoorbellExits => Interlocked.Read(ref _doorbellExits);

    /// <summary>Guest address of queue <paramref name="queueIndex"/>'s doorbell at the BAR's initial placement (for an ioeventfd).</summary>
    public ulong NotifyAddress(int queueIndex) =>
        _barAddress + VirtioPciLayout.Notify + (VirtioPciLayout.NotifyOffsetMultiplier * (ulong)queueIndex);

    /// <summary>A doorbell write that KVM completed in the kernel (ioeventfd): same as the MMIO path.</summary>
    public void NotifyFromDoorbell(int queueIndex)
    {
        if (Status.HasFlag(VirtioDeviceStatus.DriverOk))
        {
            Device.Notify(queueIndex);
        }
    }

    /// <inheritdoc />
    public void ReadConfig(int offset, Span<byte> data) => ConfigSpace.Read(offset, data);

    /// <inheritdoc />
    public void WriteConfig(int offset, ReadOnlySpan<byte> data)
    {
        ConfigSpace.Write(offset, data);
        var control = _msixCapability + 2;
        if (offset < control + 2 && offset + data.Length > control)
        {
            Span<byte> value = stackalloc byte[2];
            ConfigSpace.Read(control, value);
            var bits = BinaryPrimitives.ReadUInt16LittleEndian(value);
            _msix.SetControl(enabled: (bits & 0x8000) != 0, functionMasked: (bits & 0x4000) != 0);
        }
    }

    /// <inheritdoc />
    public void ReadBar(int bar, ulong offset, Span<byte> data)
    {
        data.Clear();
        if (bar != 0)
        {
            return;
        }
        var (region, inRegion) = SplitBarOffset(offset);
        switch (region)
        {
            case VirtioPciLayout.CommonConfig:
                ReadCommonConfig((int)inRegion, data);
                break;
            case VirtioPciLayout.Isr when inRegion == 0 && data.Length > 0:
                // Reading the ISR acknowledges it.
                data[0] = (byte)Interlocked.Exchange(ref _isr, 0);
                break;
            case VirtioPciLayout.DeviceConfig:
                Device.ReadConfig((int)inRegion, data);
                break;
            case VirtioPciLayout.MsixTable:
                _msix.ReadTable(inRegion, data);
                break;
            case VirtioPciLayout.MsixPba:
                _msix.ReadPba(inRegion, data);
                break;
        }
    }

    /// <inheritdoc />
    public void WriteBar(int bar, ulong offset, ReadOnlySpan<byte> data)
    {
        if (bar != 0)
        {
            return;
        }
        var (region, inRegion) = SplitBarOffset(offset);
        switch (region)
        {
            case VirtioPciLayout.CommonConfig:
                WriteCommonConfig((int)inRegion, data);
                break;
            case VirtioPciLayout.DeviceConfig:
                lock (_lock)
                {
                    Device.WriteConfig((int)inRegion, data);
                }
                break;
            case VirtioPciLayout.Notify:
                var queue = inRegion / VirtioPciLayout.NotifyOffsetMultiplier;
                if (queue < (ulong)_queues.Length)
                {
                    Interlocked.Increment(ref _doorbellExits);
                    NotifyFromDoorbell((int)queue);
                }
                break;
            case VirtioPciLayout.MsixTable:
                _msix.WriteTable(inRegion, data);
                break;
        }
    }

    /// <inheritdoc />
    public void SignalQueue(int queueIndex)
    {
        if (queueIndex >= 0 && queueIndex < _queues.Length)
        {
            Interlocked.Or(ref _isr, IsrQueue);
            _msix.Signal(_queues[queueIndex].MsixVector);
        }
    }

    /// <inheritdoc />
    public IQueueDoorbell? DirectDoorbell(int queueIndex) =>
        _directDoorbell is { } direct && direct.Queue == queueIndex ? direct.Doorbell : null;

    /// <summary>
    /// Lets the device's worker sleep on queue <paramref name="queueIndex"/>'s ioeventfd itself
    /// instead of a relay thread waking it. <paramref name="eventFd"/> must outlive the device.
    /// </summary>
    internal void UseDirectDoorbell(int queueIndex, EventFd eventFd) => _directDoorbell = (queueIndex, new EventFdDoorbell(eventFd));

    /// <inheritdoc />
    public void ReportBroken(string reason)
    {
        Interlocked.Or(ref _status, (int)VirtioDeviceStatus.DeviceNeedsReset);
        Interlocked.Or(ref _isr, IsrConfig);
        _msix.Signal(Volatile.Read(ref _configVector));
    }

    /// <inheritdoc />
    public void Dispose() => Device.Dispose();

    /// <summary>Which 4 KiB structure of BAR 0 an offset falls in, and the offset inside it.</summary>
    private static (ulong Region, ulong Offset) SplitBarOffset(ulong offset)
    {
        var region = offset & ~(ulong)(VirtioPciLayout.RegionLength - 1);
        return (region, offset - region);
    }

    private static uint ClassCode(VirtioDeviceType type) => type switch
    {
        VirtioDeviceType.Block => 0x01_80_00, // mass storage, other
        _ => 0xFF_00_00, // unclassified
    };

    private void AddVirtioCapability(byte type, ulong offset, uint length, uint? notifyMultiplier = null)
    {
        // struct virtio_pci_cap after cap_vndr/cap_next: cap_len, cfg_type, bar, id, padding[2], offset, length.
        Span<byte> body = stackalloc byte[notifyMultiplier is null ? 14 : 18];
        body.Clear();
        body[0] = (byte)(body.Length + 2);
        body[1] = type;
        body[2] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], (uint)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(body[10..], length);
        if (notifyMultiplier is { } multiplier)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(body[14..], multiplier);
        }
        ConfigSpace.AddCapability(VirtioPciLayout.CapabilityVendorSpecific, body, []);
    }

    private int AddMsixCapability()
    {
        // Message control (table size - 1; enable and function-mask bits writable), table and PBA offsets in BAR 0.
        Span<byte> body = stackalloc byte[10];
        BinaryPrimitives.WriteUInt16LittleEndian(body, (ushort)(_msix.VectorCount - 1));
        BinaryPrimitives.WriteUInt32LittleEndian(body[2..], (uint)VirtioPciLayout.MsixTable);
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], (uint)VirtioPciLayout.MsixPba);
        Span<byte> mask = stackalloc byte[10];
        mask.Clear();
        mask[1] = 0xC0;
        return ConfigSpace.AddCapability(VirtioPciLayout.CapabilityMsix, body, mask);
    }
}
