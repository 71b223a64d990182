using System.Globalization;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Vmm;
using Concierge.Vmm.Images;

namespace Concierge.Service.Runtime;

/// <summary>What the monitor gets for one run of a VM definition: where its images come from, its size and the full command line.</summary>
/// <param name="Kernel">The guest kernel.</param>
/// <param name="Initrd">The initramfs, if any.</param>
/// <param name="Rootfs">The root file system image (virtio-blk <c>/dev/vda</c>, writable), if any.</param>
/// <param name="Vcpus">vCPUs.</param>
/// <param name="MemoryMiB">Guest RAM.</param>
/// <param name="CommandLine">The kernel command line.</param>
internal sealed record VmPlan(ImageSource Kernel, ImageSource? Initrd, ImageSource? Rootfs, int Vcpus, int MemoryMiB, string CommandLine)
{
    /// <summary>
    /// Our monitor's DSDT describes no PCI host bridge: with ACPI routing Linux would never scan
    /// bus 0, so the guest probes PCI mechanism #1 itself (MSI-X needs no routing).
    /// </summary>
    public const string MonitorCommandLine = VmSpec.DefaultCommandLine + " pci=noacpi";

    /// <summary>The guest device the root file system image appears as (the first virtio disk).</summary>
    public const string RootfsDevice = "/dev/vda";

    /// <summary>
    /// Resolves <paramref name="definition"/>: a passed image wins, else its path; no kernel means
    /// the built-in guest (its kernel and, unless one is given, its initramfs). The command line
    /// tells the guest init its heartbeat interval and its disk; the definition's own parameters
    /// come last so they can override.
    /// </summary>
    /// <exception cref="VmConfigException">A value the monitor cannot run.</exception>
    public static VmPlan Create(VmDefinition definition, PassedImages? passed, VmRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
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
        // The definition was checked against VmSpec's limits when its StartVm arrived, so these fit.
        return new VmPlan(kernel, initrd, rootfs, checked((int)definition.Vcpus), checked((int)definition.MemoryMiB), string.Join(' ', words));
    }

    /// <summary>
    /// Opens the kernel and initrd into the spec for one instance (which then owns them through
    /// the VM it builds); on failure nothing stays open.
    /// </summary>
    /// <exception cref="VmConfigException">An image cannot be opened or a value is out of range.</exception>
    public VmSpec OpenSpec()
    {
        var kernel = Kernel.Open(writable: false);
        ImageFile? initrd = null;
        try
        {
            initrd = Initrd?.Open(writable: false);
            return new VmSpec(kernel, initrd, Vcpus, MemoryMiB, CommandLine);
        }
        catch
        {
            kernel.Dispose();
            initrd?.Dispose();
            throw;
        }
    }

    private static ImageSource? Source(ImageFile? passed, string? path) =>
        passed is not null ? ImageSource.FromPassed(passed) : path is null ? null : ImageSource.FromPath(path);
}
