using Concierge.Vmm.Kvm;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm.Devices;

/// <summary>
/// What a device gets while <see cref="VmBuilder"/> attaches it: guest memory, bus
/// registration, interrupts and eventfds. Everything registered here belongs to the VM: devices
/// and eventfds that are <see cref="IDisposable"/> are disposed after the vCPUs have stopped.
/// </summary>
public interface IVmDeviceHost
{
    /// <summary>The guest's RAM.</summary>
    GuestMemory Memory { get; }

    /// <summary>Number of vCPUs of the VM.</summary>
    int VcpuCount { get; }

    /// <summary>Routes guest port I/O in [<paramref name="port"/>, +<paramref name="length"/>) to <paramref name="device"/>.</summary>
    void AddPortIoDevice(ushort port, ushort length, IBusDevice device);

    /// <summary>Routes guest MMIO in [<paramref name="address"/>, +<paramref name="length"/>) to <paramref name="device"/> (must lie outside RAM).</summary>
    void AddMmioDevice(ulong address, ulong length, IBusDevice device);

    /// <summary>An edge-triggered interrupt line for legacy GSI <paramref name="gsi"/> (0-23, via KVM_IRQ_LINE).</summary>
    IInterruptLine GetInterruptLine(uint gsi);

    /// <summary>Delivers MSIs (KVM_SIGNAL_MSI).</summary>
    IMsiSignaler MsiSignaler { get; }

    /// <summary>
    /// An eventfd KVM signals, without exiting to user space, when the guest writes
    /// <paramref name="length"/> bytes at <paramref name="address"/> (a port when <paramref name="portIo"/>),
    /// optionally only when the value equals <paramref name="dataMatch"/>.
    /// </summary>
    EventFd AddIoEventFd(ulong address, uint length, bool portIo, ulong? dataMatch = null);

    /// <summary>An eventfd that injects legacy GSI <paramref name="gsi"/> when signalled (KVM_IRQFD).</summary>
    EventFd AddIrqFd(uint gsi);

    /// <summary>A device that pause must stop too (see <see cref="IPausableDevice"/>).</summary>
    void AddPausableDevice(IPausableDevice device);

    /// <summary>Something else to dispose with the VM, after the vCPUs have stopped.</summary>
    void AddDisposable(IDisposable resource);

    /// <summary>Ends the VM with <see cref="VmExitReason.Fault"/> (for device threads that find the guest misbehaving).</summary>
    void Fail(Exception error);
}
