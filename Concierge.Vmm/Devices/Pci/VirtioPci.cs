using Concierge.Vmm.Devices.Virtio;

namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// Plugs virtio devices into a VM through virtio-pci: the recipe steps for
/// <see cref="VmBuilder.AddDevice"/>.
/// </summary>
/// <example><code>
/// var pci = new PciRootBus();
/// var vsock = new VsockDevice(guestCid: 32);
/// var vm = new VmBuilder(spec)
///     .AddDevice(pci.AttachTo)
///     .AddDevice(host => VirtioPci.Attach(host, pci, new BlockDevice(DiskImage.Open(path, readOnly: false), "disk0")))
///     .AddDevice(host => VirtioPci.Attach(host, pci, new RngDevice()))
///     .AddDevice(host => VirtioPci.Attach(host, pci, vsock))
///     .Build();
/// </code></example>
public static class VirtioPci
{
    /// <summary>
    /// Puts <paramref name="device"/> (owned by the VM from here on) on <paramref name="bus"/>
    /// with its own BAR, MSI-X through the VM's MSI signaler, and one ioeventfd per queue doorbell
    /// (the device's worker sleeps on its busiest queue's; a relay thread serves each other one).
    /// When the guest breaks the device, the VM fails with the reason (the stock Linux driver
    /// never recovers a device that needs a reset).
    /// </summary>
    public static VirtioPciDevice Attach(IVmDeviceHost host, PciRootBus bus, VirtioDevice device)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(device);
        var transport = new VirtioPciDevice(device, host.Memory, host.MsiSignaler, bus.AllocateBar(VirtioPciDevice.BarSize));
        try
        {
            for (var queue = 0; queue < device.QueueCount; queue++)
            {
                var eventFd = host.AddIoEventFd(transport.NotifyAddress(queue), 2, portIo: false);
                if (queue == device.DirectDoorbellQueue)
                {
                    // The worker reads this eventfd itself: a kick wakes it with no thread in between.
                    transport.UseDirectDoorbell(queue, eventFd);
                    continue;
                }
                var index = queue;
                host.AddDisposable(new IoEventNotifier(eventFd, () => transport.NotifyFromDoorbell(index), $"virtio-{device.Type}-kick{queue}"));
            }
        }
        catch
        {
            transport.Dispose();
            throw;
        }
        // Disposed in reverse order: the device (and its worker, which may sleep on an eventfd)
        // stops first, then the relay threads, then the eventfds close.
        host.AddDisposable(transport);
        host.AddPausableDevice(device);
        var slot = bus.Attach(transport);
        device.Broken += reason => host.Fail(new GuestFaultException($"virtio-{device.Type} at PCI 00:{slot:x2}.0: {reason}"));
        return transport;
    }
}
