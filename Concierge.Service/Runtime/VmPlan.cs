using System.Globalization;
using Concierge.Service.Registry;
using Concierge.Vmm;

namespace Concierge.Service.Runtime;

/// <summary>What the monitor gets for one VM definition: the spec and the disk to attach.</summary>
/// <param name="Spec">Kernel, initrd, vCPUs, memory and the full command line.</param>
/// <param name="RootfsPath">The root file system image (virtio-blk <c>/dev/vda</c>, writable), if any.</param>
internal sealed record VmPlan(VmSpec Spec, string? RootfsPath)
{
    /// <summary>
    /// Our monitor's DSDT describes no PCI host bridge: with ACPI routing Linux would never scan
    /// bus 0, so the guest probes PCI mechanism #1 itself (MSI-X needs no routing).
    /// </summary>
    public const string MonitorCommandLine = VmSpec.DefaultCommandLine + " pci=noacpi";

    /// <summary>The guest device the root file system image appears as (the first virtio disk).</summary>
    public const string RootfsDevice = "/dev/vda";

    /// <summary>
    /// Resolves <paramref name="definition"/>: no kernel means the built-in guest (its kernel and,
    /// unless one is given, its initramfs). The command line tells the guest init its heartbeat
    /// interval and its disk; the definition's own parameters come last so they can override.
    /// </summary>
    /// <exception cref="VmConfigException">A value the monitor cannot run.</exception>
    public static VmPlan Create(VmDefinition definition, VmRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(options);
        var builtIn = string.IsNullOrEmpty(definition.KernelPath);
        var kernel = builtIn ? options.DefaultKernelPath : definition.KernelPath;
        var initrd = definition.InitrdPath ?? (builtIn ? options.DefaultInitrdPath : null);
        if (definition.Vcpus > VmSpec.MaxVcpus || definition.MemoryMiB > VmSpec.MaxMemoryMiB)
        {
            throw new VmConfigException($"{definition.Vcpus} vCPUs / {definition.MemoryMiB} MiB exceed {VmSpec.MaxVcpus} / {VmSpec.MaxMemoryMiB} MiB");
        }
        var heartbeatMs = (int)Math.Clamp(definition.HeartbeatInterval.TotalMilliseconds, 10, 3_600_000);
        var words = new List<string> { MonitorCommandLine, $"concierge.heartbeat_ms={heartbeatMs.ToString(CultureInfo.InvariantCulture)}" };
        var rootfs = string.IsNullOrEmpty(definition.RootfsPath) ? null : definition.RootfsPath;
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
        var spec = new VmSpec(kernel, initrd, (int)definition.Vcpus, (int)definition.MemoryMiB, string.Join(' ', words));
        return new VmPlan(spec, rootfs);
    }
}
