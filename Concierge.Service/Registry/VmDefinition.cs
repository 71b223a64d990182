using Concierge.Service.Supervision;

namespace Concierge.Service.Registry;

/// <summary>What a VM is made of and how it is supervised, as StartVm asked for it.</summary>
public sealed record VmDefinition
{
    /// <summary>The guest kernel (bzImage).</summary>
    public string KernelPath { get; init; } = "";

    /// <summary>The initramfs, if any.</summary>
    public string? InitrdPath { get; init; }

    /// <summary>The root filesystem image, if any.</summary>
    public string? RootfsPath { get; init; }

    /// <summary>
    /// True when some image came as a passed fd. Those images have no path here (an fd outlives
    /// neither its run nor the service), so a later start must pass them again.
    /// </summary>
    public bool FromPassedFds { get; init; }

    /// <summary>Extra disks after the root file system, in the order the guest sees them.</summary>
    public IReadOnlyList<DiskDefinition> Disks { get; init; } = [];

    /// <summary>Extra kernel command line parameters.</summary>
    public IReadOnlyList<string> KernelParams { get; init; } = [];

    /// <summary>Virtual CPUs.</summary>
    public uint Vcpus { get; init; } = 1;

    /// <summary>Guest RAM in MiB.</summary>
    public ulong MemoryMiB { get; init; } = 512;

    /// <summary>How long the guest has to say hello.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Expected period of guest heartbeats.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Intervals without a heartbeat before the guest counts as unresponsive.</summary>
    public uint MissedHeartbeats { get; init; } = 3;

    /// <summary>What to do when the VM ends on its own.</summary>
    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.Never;

    /// <summary>
    /// True when <paramref name="other"/> asks for the same VM: every value equal and the same
    /// kernel parameters and disks in the same order (record equality compares lists by reference).
    /// </summary>
    public bool SameAs(VmDefinition other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with { KernelParams = NoParams, Disks = NoDisks } == other with { KernelParams = NoParams, Disks = NoDisks }
            && KernelParams.SequenceEqual(other.KernelParams) && Disks.SequenceEqual(other.Disks);
    }

    private static readonly string[] NoParams = [];
    private static readonly DiskDefinition[] NoDisks = [];
}
