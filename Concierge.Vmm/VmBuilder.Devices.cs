using Concierge.Vmm.Devices.Pci;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Block;
using Concierge.Vmm.Devices.Virtio.Rng;
using Concierge.Vmm.Devices.Virtio.Vsock;

namespace Concierge.Vmm;

/// <summary>The attach steps for the virtio devices a spec declares (Firecracker's <c>attach_*</c> shape).</summary>
public sealed partial class VmBuilder
{
    /// <summary>
    /// The spec's virtio devices on PCI bus 0, which exists only when some are declared. Disks go
    /// first, in their declared order: Linux probes bus 0 slot by slot and names virtio disks in
    /// probe order, so the first declared disk takes the lowest slot and becomes <c>/dev/vda</c>.
    /// This is the one place that keeps that order.
    /// </summary>
    private static void AttachVirtioDevices(VmParts parts)
    {
        if (!parts.Spec.HasVirtioDevices)
        {
            return;
        }
        var pci = AttachPciBus(parts);
        AttachBlockDevices(parts, pci);
        AttachRng(parts, pci);
        AttachVsock(parts, pci);
    }

    /// <summary>Configuration mechanism #1 on its ports and the BAR window in the MMIO hole.</summary>
    private static PciRootBus AttachPciBus(VmParts parts)
    {
        var pci = new PciRootBus();
        parts.AddPortIoDevice(PciRootBus.ConfigIoPort, PciRootBus.ConfigIoPortCount, pci.ConfigIo);
        parts.AddMmioDevice(PciRootBus.MmioWindowStart, PciRootBus.MmioWindowSize, pci.MmioWindow);
        return pci;
    }

    private static void AttachBlockDevices(VmParts parts, PciRootBus pci)
    {
        foreach (var disk in parts.Spec.BlockDevices)
        {
            AttachVirtio(parts, pci, new BlockDevice(new DiskImage(disk.Image, disk.ReadOnly), disk.Serial));
        }
    }

    private static void AttachRng(VmParts parts, PciRootBus pci)
    {
        if (parts.Spec.Rng)
        {
            AttachVirtio(parts, pci, new RngDevice());
        }
    }

    /// <summary>The vsock device stays reachable through <see cref="VirtualMachine.Vsock"/>: the host listens on it.</summary>
    private static void AttachVsock(VmParts parts, PciRootBus pci)
    {
        if (parts.Spec.Vsock is { } spec)
        {
            var vsock = new VsockDevice(spec.GuestCid);
            AttachVirtio(parts, pci, vsock);
            parts.Vsock = vsock;
        }
    }

    /// <summary>
    /// Puts <paramref name="device"/> (owned by the VM from here on) on <paramref name="pci"/>
    /// with its own BAR, MSI-X through the VM's MSI signaler, and one ioeventfd per queue doorbell
    /// (the device's worker sleeps on its busiest queue's; a relay thread serves each other one).
    /// When the guest breaks the device, the VM fails with the reason (the stock Linux driver
    /// never recovers a device that needs a reset).
    /// </summary>
    private static void AttachVirtio(VmParts parts, PciRootBus pci, VirtioDevice device)
    {
        VirtioPciDevice transport;
        try
        {
            transport = new VirtioPciDevice(device, parts.Memory, parts.MsiSignaler, pci.AllocateBar(VirtioPciDevice.BarSize));
        }
        catch
        {
            device.Dispose();
            throw;
        }
        try
        {
            for (var queue = 0; queue < device.QueueCount; queue++)
            {
                var eventFd = parts.AddIoEventFd(transport.NotifyAddress(queue), 2, portIo: false);
                if (queue == device.DirectDoorbellQueue)
                {
                    // The worker reads this eventfd itself: a kick wakes it with no thread in between.
                    transport.UseDirectDoorbell(queue, eventFd);
                    continue;
                }
                var index = queue;
                parts.AddDisposable(new IoEventNotifier(eventFd, () => transport.NotifyFromDoorbell(index), $"virtio-{device.Type}-kick{queue}"));
            }
        }
        catch
        {
            transport.Dispose();
            throw;
        }
        // Disposed in reverse order: the device (and its worker, which may sleep on an eventfd)
        // stops first, then the relay threads, then the eventfds close.
        parts.AddDisposable(transport);
        parts.AddPausableDevice(device);
        var slot = pci.Attach(transport);
        parts.VirtioDevices.Add(transport);
        device.Broken += reason => parts.Fail(new GuestFaultException($"virtio-{device.Type} at PCI 00:{slot:x2}.0: {reason}"));
    }
}
