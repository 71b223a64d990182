using System.Globalization;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Vmm;
using Concierge.Vmm.Images;

namespace Concierge.Service.Runtime;

/// <summary>What the monitor gets for one run of a VM: where its images come from, its size, its CID and the full command line.</summary>
/// <param name="Kernel">The guest kernel.</param>
/// <param name="Initrd">The initramfs, if any.</param>
/// <param name="Rootfs">The root file system image (the first disk, so <c>/dev/vda</c>; writable), if any.</param>
/// <param name="Vcpus">vCPUs.</param>
/// <param name="MemoryMiB">Guest RAM.</param>
/// <param name="Cid">The guest's vsock CID.</param>
/// <param name="CommandLine">The kernel command line.</param>
internal sealed record VmPlan(ImageSource Kernel, ImageSource? Initrd, ImageSource? Rootfs, int Vcpus, int MemoryMiB, uint Cid, string CommandLine)
{
    /// <summary>The extra disks after the rootfs, in guest order (<c>/dev/vdb</c>, … with a rootfs; <c>/dev/vda</c>, … without).</summary>
    public IReadOnlyList<PlannedDisk> Disks { get; init; } = [];

    /// <summary>
    /// Our monitor's DSDT describes no PCI host bridge: with ACPI routing Linux would never scan
    /// bus 0, so the guest probes PCI mechanism #1 itself (MSI-X needs no routing).
    /// </summary>
    public const string MonitorCommandLine = VmSpec.DefaultCommandLine + " pci=noacpi";

    /// <summary>The guest device the root file system image appears as: the monitor names the first declared disk so.</summary>
    public const string RootfsDevice = "/dev/vda";

    /// <summary>The rootfs disk's serial, as the guest reads it.</summary>
    public const string RootfsSerial = "rootfs";

    /// <summary>
    /// Resolves <paramref name="launch"/>'s definition: a passed image wins, else its path; no
    /// kernel means the built-in guest (its kernel and, unless one is given, its initramfs). The
    /// command line tells the guest init its heartbeat interval and its disk; the definition's own
    /// parameters come last so they can override.
    /// </summary>
    /// <exception cref="VmConfigException">A value the monitor cannot run.</exception>
    public static VmPlan Create(VmLaunch launch, VmRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(options);
        var definition = launch.Definition;
        var passed = launch.PassedImages;
        if (definition.FromPassedFds && passed is null)
        {
            throw new VmConfigException("the VM was defined from passed fds and this run has none");
        }
        var builtIn = passed?.Kernel is null && string.IsNullOrEmpty(definition.KernelPath);
        var kernel = Source(passed?.Kernel, builtIn ? options.DefaultKernelPath : definition.KernelPath)!;
        var initrd = Source(passed?.Initrd, definition.InitrdPath ?? (builtIn ? options.DefaultInitrdPath : null));
        var rootfs = Source(passed?.Rootfs, string.IsNullOrEmpty(definition.RootfsPath) ? null : definition.RootfsPath);
        var heartbeatMs = (int)Math.Clamp(definition.HeartbeatInterval.TotalMilliseconds, 10, 3_600_000);
        var words = new List<string> { MonitorCommandLine, $"concierge.heartbeat_ms={heartbeatMs.ToString(CultureInfo.InvariantCulture)}" };
        if (rootfs is not null)
        {
            words.Add($"concierge.rootfs={RootfsDevice}");
        }
        foreach (var parameter in definition.KernelParams)
        {
            if (string.IsNullOrWhiteSpace(parameter) || parameter.Any(char.IsControl))
            {
                throw new VmConfigException("kernel parameters must be non-empty and free of control characters");
            }
            words.Add(parameter);
        }
        var disks = definition.Disks.Select((disk, i) =>
            new PlannedDisk(Source(passed?.Disks.ElementAtOrDefault(i), disk.Path.Length == 0 ? null : disk.Path)
                ?? throw new VmConfigException($"disk {i} has neither a path nor a passed fd in this run"), disk.Writable));
        // The definition was checked against VmSpec's limits when its StartVm arrived, so these fit.
        return new VmPlan(kernel, initrd, rootfs, checked((int)definition.Vcpus), checked((int)definition.MemoryMiB), launch.Cid, string.Join(' ', words))
        {
            Disks = [.. disks],
        };
    }

    /// <summary>
    /// Opens the images into the spec for one instance (which then owns them through the VM it
    /// builds): the rootfs as the first disk and the extra disks after it, virtio-rng, and vsock
    /// on the VM's CID for the guest link. On failure nothing stays open.
    /// </summary>
    /// <exception cref="VmConfigException">An image cannot be opened or a value is out of range.</exception>
    public VmSpec OpenSpec()
    {
        var opened = new List<ImageFile>();
        try
        {
            var kernel = Open(Kernel, writable: false, opened);
            var initrd = Initrd is null ? null : Open(Initrd, writable: false, opened);
            var rootfs = Rootfs is null ? null : Open(Rootfs, writable: true, opened);
            var blocks = new List<BlockDeviceSpec>();
            if (rootfs is not null)
            {
                blocks.Add(new BlockDeviceSpec(rootfs, ReadOnly: false, RootfsSerial));
            }
            foreach (var (disk, i) in Disks.Select((disk, i) => (disk, i)))
            {
                blocks.Add(new BlockDeviceSpec(Open(disk.Source, disk.Writable, opened), ReadOnly: !disk.Writable, DiskSerial(i)));
            }
            return new VmSpec(kernel, initrd, Vcpus, MemoryMiB, CommandLine)
            {
                BlockDevices = blocks,
                Rng = true,
                Vsock = new VsockDeviceSpec(Cid),
            };
        }
        catch
        {
            opened.ForEach(image => image.Dispose());
            throw;
        }
    }

    /// <summary>The serial the guest reads for extra disk <paramref name="index"/> (also in /dev/disk/by-id).</summary>
    public static string DiskSerial(int index) => $"disk{(index + 1).ToString(CultureInfo.InvariantCulture)}";

    private static ImageFile Open(ImageSource source, bool writable, List<ImageFile> opened)
    {
        var image = source.Open(writable);
        opened.Add(image);
        return image;
    }

    private static ImageSource? Source(ImageFile? passed, string? path) =>
        passed is not null ? ImageSource.FromPassed(passed) : path is null ? null : ImageSource.FromPath(path);
}
