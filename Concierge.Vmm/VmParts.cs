using Concierge.Vmm.Devices;
using Concierge.Vmm.Devices.Pci;
using Concierge.Vmm.Devices.Virtio.Vsock;
using Concierge.Vmm.Kvm;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm;

/// <summary>
/// Everything one VM owns, gathered while <see cref="VmBuilder"/> runs and handed to
/// <see cref="VirtualMachine"/>: what the attach steps give a device (guest memory, bus
/// registration, interrupts, eventfds) all lands here and belongs to the VM. Disposal releases
/// devices first, then the spec's images, vCPUs, the VM fd, guest RAM and /dev/kvm. The images
/// are the run's from the moment the build begins, so a build that fails releases them too (a
/// disk device releases its image as well; the second release does nothing).
/// </summary>
internal sealed class VmParts : IDisposable
{
    private readonly List<IDisposable> _resources = [];
    private GuestMemory? _memory;
    private KvmVm? _vm;

    public VmParts(VmSpec spec, VmConsole console)
    {
        Spec = spec;
        Console = console;
        _resources.AddRange(spec.Images);
    }

    public VmSpec Spec { get; }

    public VmConsole Console { get; }

    public VmExitLatch Latch { get; } = new();

    public DeviceBus Ports { get; } = new("port I/O");

    public DeviceBus Mmio { get; } = new("MMIO");

    public KvmSystem? Kvm { get; set; }

    public KvmVm Vm
    {
        get => _vm ?? throw new InvalidOperationException("the VM is not created yet");
        set => _vm = value;
    }

    public List<KvmVcpu> Vcpus { get; } = [];

    /// <summary>The virtio devices on the PCI bus, in slot order.</summary>
    public List<VirtioPciDevice> VirtioDevices { get; } = [];

    /// <summary>The vsock device, when the spec declares one.</summary>
    public VsockDevice? Vsock { get; set; }

    /// <summary>The devices that pause and resume with the vCPUs, in the order they were added.</summary>
    public List<IPausableDevice> PausableDevices { get; } = [];

    /// <summary>The guest's RAM.</summary>
    public GuestMemory Memory
    {
        get => _memory ?? throw new InvalidOperationException("guest memory is not allocated yet");
        set => _memory = value;
    }

    /// <summary>Delivers MSIs (KVM_SIGNAL_MSI).</summary>
    public IMsiSignaler MsiSignaler => new KvmMsiSignaler(Vm);

    /// <summary>Routes guest port I/O in [<paramref name="port"/>, +<paramref name="length"/>) to <paramref name="device"/>.</summary>
    public void AddPortIoDevice(ushort port, ushort length, IBusDevice device)
    {
        Ports.Register(port, length, device);
        TrackIfDisposable(device);
    }

    /// <summary>Routes guest MMIO in [<paramref name="address"/>, +<paramref name="length"/>) to <paramref name="device"/> (must lie outside RAM).</summary>
    public void AddMmioDevice(ulong address, ulong length, IBusDevice device)
    {
        if (Memory.Regions.Any(region => address < region.End && region.GuestAddress < address + length))
        {
            throw new InvalidOperationException($"MMIO range 0x{address:x}+0x{length:x} overlaps guest RAM");
        }
        Mmio.Register(address, length, device);
        TrackIfDisposable(device);
    }

    /// <summary>An edge-triggered interrupt line for legacy GSI <paramref name="gsi"/> (0-23, via KVM_IRQ_LINE).</summary>
    public IInterruptLine GetInterruptLine(uint gsi) => new KvmInterruptLine(Vm, gsi);

    /// <summary>
    /// An eventfd KVM signals, without exiting to user space, when the guest writes
    /// <paramref name="length"/> bytes at <paramref name="address"/> (a port when <paramref name="portIo"/>),
    /// optionally only when the value equals <paramref name="dataMatch"/>.
    /// </summary>
    public EventFd AddIoEventFd(ulong address, uint length, bool portIo, ulong? dataMatch = null)
    {
        var eventFd = EventFd.Create();
        _resources.Add(eventFd);
        Vm.SetIoeventfd(eventFd, address, length, portIo, dataMatch, assign: true);
        return eventFd;
    }

    /// <summary>A device that pause must stop too (see <see cref="IPausableDevice"/>).</summary>
    public void AddPausableDevice(IPausableDevice device) => PausableDevices.Add(device);

    /// <summary>Something else to dispose with the VM, after the vCPUs have stopped.</summary>
    public void AddDisposable(IDisposable resource) => _resources.Add(resource);

    /// <summary>Ends the VM with <see cref="VmExitReason.Fault"/> (for device threads that find the guest misbehaving).</summary>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Latch.TrySet(new VmExit(VmExitReason.Fault, error.Message, error));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        for (var i = _resources.Count - 1; i >= 0; i--)
        {
            _resources[i].Dispose();
        }
        _resources.Clear();
        Vcpus.ForEach(vcpu => vcpu.Dispose());
        Vcpus.Clear();
        _vm?.Dispose();
        _memory?.Dispose();
        Kvm?.Dispose();
        Console.Dispose();
    }

    private void TrackIfDisposable(IBusDevice device)
    {
        if (device is IDisposable disposable && !_resources.Contains(disposable))
        {
            _resources.Add(disposable);
        }
    }
}
