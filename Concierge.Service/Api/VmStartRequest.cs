using Concierge.Service.Supervision;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Service.Api;

/// <summary>
/// A start request as either D-Bus face received it, before validation. Images come as paths
/// (authorized by <see cref="ImagePathPolicy"/>) or as fds the caller passed; zero numbers mean
/// "the stored value, else the service default". A request naming no image at all starts the VM
/// from its stored definition (or the system guest image for a new VM).
/// </summary>
public sealed record VmStartRequest
{
    /// <summary>The guest kernel by path.</summary>
    public string? KernelPath { get; init; }

    /// <summary>The initramfs by path.</summary>
    public string? InitrdPath { get; init; }

    /// <summary>The root filesystem image by path.</summary>
    public string? RootfsPath { get; init; }

    /// <summary>The guest kernel as an fd the caller opened.</summary>
    public SafeFileHandle? KernelFd { get; init; }

    /// <summary>The initramfs as an fd the caller opened.</summary>
    public SafeFileHandle? InitrdFd { get; init; }

    /// <summary>The root filesystem as an fd the caller opened.</summary>
    public SafeFileHandle? RootfsFd { get; init; }

    /// <summary>Extra disks after the root file system, in guest order (replace the stored ones when not empty).</summary>
    public IReadOnlyList<DiskRequest> Disks { get; init; } = [];

    /// <summary>Extra kernel parameters (replace the stored ones when not empty).</summary>
    public IReadOnlyList<string> KernelParams { get; init; } = [];

    /// <summary>Virtual CPUs; 0 = stored or default.</summary>
    public uint Vcpus { get; init; }

    /// <summary>Guest RAM in MiB; 0 = stored or default.</summary>
    public ulong MemoryMiB { get; init; }

    /// <summary>Seconds the guest has to say hello; 0 = stored or default.</summary>
    public uint StartupTimeoutSeconds { get; init; }

    /// <summary>Heartbeat period in ms; 0 = stored or default.</summary>
    public uint HeartbeatIntervalMs { get; init; }

    /// <summary>Missed heartbeats before unresponsive; 0 = stored or default.</summary>
    public uint MissedHeartbeats { get; init; }

    /// <summary>The restart policy; null = stored or default.</summary>
    public RestartPolicy? RestartPolicy { get; init; }

    /// <summary>True when the request names no image (path or fd).</summary>
    public bool NamesNoImage => KernelPath is null && InitrdPath is null && RootfsPath is null
        && KernelFd is null && InitrdFd is null && RootfsFd is null;

    /// <summary>True when the request names nothing at all: "start it as it is", answered by an active VM as it runs.</summary>
    public bool AsksNothing => NamesNoImage && Disks.Count == 0 && KernelParams.Count == 0 && Vcpus == 0 && MemoryMiB == 0 && StartupTimeoutSeconds == 0
        && HeartbeatIntervalMs == 0 && MissedHeartbeats == 0 && RestartPolicy is null;

    /// <summary>The passed fds, for whoever keeps them open.</summary>
    public IEnumerable<SafeFileHandle> PassedFds =>
        new[] { KernelFd, InitrdFd, RootfsFd }.Concat(Disks.Select(d => d.Fd)).OfType<SafeFileHandle>();
}
