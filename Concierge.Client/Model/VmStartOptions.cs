namespace Concierge.Client;

/// <summary>How to start a VM. Unset values mean the VM's stored value, else the service default (the built-in guest).</summary>
public sealed record VmStartOptions
{
    /// <summary>The guest kernel (bzImage).</summary>
    public string? KernelPath { get; init; }

    /// <summary>The initramfs.</summary>
    public string? InitrdPath { get; init; }

    /// <summary>The root filesystem image.</summary>
    public string? RootfsPath { get; init; }

    /// <summary>Extra disk images after the root filesystem, in the order the guest sees them (/dev/vdb, …).</summary>
    public IReadOnlyList<VmDisk> Disks { get; init; } = [];

    /// <summary>Virtual CPUs; 0 = default.</summary>
    public uint Vcpus { get; init; }

    /// <summary>Guest RAM in MiB; 0 = default.</summary>
    public ulong MemoryMiB { get; init; }

    /// <summary>Extra kernel command-line parameters.</summary>
    public IReadOnlyList<string> KernelParams { get; init; } = [];

    /// <summary>Seconds the guest has to say hello; 0 = default.</summary>
    public uint StartupTimeoutSeconds { get; init; }

    /// <summary>The restart policy; null = default.</summary>
    public RestartPolicy? RestartPolicy { get; init; }

    /// <summary>True when the options name a file (kernel, initramfs, root file system or disk).</summary>
    public bool NamesFiles => KernelPath is not null || InitrdPath is not null || RootfsPath is not null || Disks.Count > 0;
}
