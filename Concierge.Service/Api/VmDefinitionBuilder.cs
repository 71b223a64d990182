using Concierge.Service.Errors;
using Concierge.Service.Registry;
using Concierge.Vmm;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Service.Api;

/// <summary>
/// Turns a <see cref="VmStartRequest"/> into a validated <see cref="VmDefinition"/>: images through
/// <see cref="ImagePathPolicy"/> (a passed fd leaves no path, only <see cref="VmDefinition.FromPassedFds"/>),
/// zeros filled from the VM's stored definition and then the service defaults, numbers within
/// bounds: vCPUs and memory within the monitor's own limits (<see cref="VmSpec.CheckLimits"/>),
/// so a VM that could never run is refused in the reply, not after a STARTING. One place for
/// both D-Bus faces.
/// </summary>
public sealed class VmDefinitionBuilder
{
    /// <summary>The kernel file name in the system image directory (the runtime's built-in guest).</summary>
    public const string DefaultKernelName = Runtime.VmRuntimeOptions.KernelFileName;

    /// <summary>The initramfs file name in the system image directory.</summary>
    public const string DefaultInitrdName = Runtime.VmRuntimeOptions.InitrdFileName;

    /// <summary>Most extra disks: each takes a PCI slot of bus 0, which holds 32 with the root disk, rng and vsock.</summary>
    public const int MaxDisks = 16;

    private const int MaxKernelParams = 64;
    private const int MaxKernelParamLength = 1024;
    private const uint MaxStartupSeconds = 3600;
    private const uint MinHeartbeatMs = 50;
    private const uint MaxHeartbeatMs = 600_000;
    private const uint MaxMissedHeartbeats = 1000;

    private readonly ImagePathPolicy _images;
    private readonly VmDefinition _defaults = new();

    /// <summary>Creates the builder over <paramref name="images"/>.</summary>
    public VmDefinitionBuilder(ImagePathPolicy images)
    {
        _images = images;
    }

    /// <summary>The definition for <paramref name="request"/> by <paramref name="caller"/>, given the VM's <paramref name="stored"/> one.</summary>
    public VmDefinition Build(Caller caller, VmStartRequest request, VmDefinition? stored)
    {
        ArgumentNullException.ThrowIfNull(request);
        var baseline = stored ?? _defaults;
        var definition = request.NamesNoImage ? StoredOrSystemImages(stored) : Images(caller, request);
        var vcpus = request.Vcpus == 0 ? baseline.Vcpus : request.Vcpus;
        var memoryMiB = request.MemoryMiB == 0 ? baseline.MemoryMiB : request.MemoryMiB;
        try
        {
            VmSpec.CheckLimits(vcpus, memoryMiB);
        }
        catch (VmConfigException e)
        {
            throw new InvalidRequestException(e.Message, e);
        }
        return definition with
        {
            Disks = Disks(caller, request, stored),
            FromPassedFds = request.PassedFds.Any(),
            KernelParams = request.KernelParams.Count > 0 ? CheckKernelParams(request.KernelParams) : baseline.KernelParams,
            Vcpus = vcpus,
            MemoryMiB = memoryMiB,
            StartupTimeout = request.StartupTimeoutSeconds == 0 ? baseline.StartupTimeout
                : TimeSpan.FromSeconds(InRange("timeout", request.StartupTimeoutSeconds, 1u, MaxStartupSeconds)),
            HeartbeatInterval = request.HeartbeatIntervalMs == 0 ? baseline.HeartbeatInterval
                : TimeSpan.FromMilliseconds(InRange("heartbeat_interval_ms", request.HeartbeatIntervalMs, MinHeartbeatMs, MaxHeartbeatMs)),
            MissedHeartbeats = request.MissedHeartbeats == 0 ? baseline.MissedHeartbeats
                : InRange("missed_heartbeats", request.MissedHeartbeats, 1u, MaxMissedHeartbeats),
            RestartPolicy = request.RestartPolicy ?? baseline.RestartPolicy,
        };
    }

    private VmDefinition StoredOrSystemImages(VmDefinition? stored)
    {
        if (stored is not null)
        {
            if (stored.FromPassedFds)
            {
                throw new InvalidRequestException("fds",
                    "this VM was started from passed file descriptors, which do not outlive its run; pass its images again");
            }
            return new VmDefinition { KernelPath = stored.KernelPath, InitrdPath = stored.InitrdPath, RootfsPath = stored.RootfsPath };
        }
        var kernel = Path.Combine(_images.ImageDirectory, DefaultKernelName);
        if (!File.Exists(kernel))
        {
            // Not the caller's mistake: the service's own image is missing.
            throw new FileNotFoundException($"no kernel given and the system image {kernel} does not exist; install the guest images or name a kernel", kernel);
        }
        var initrd = Path.Combine(_images.ImageDirectory, DefaultInitrdName);
        return new VmDefinition { KernelPath = kernel, InitrdPath = File.Exists(initrd) ? initrd : null };
    }

    private VmDefinition Images(Caller caller, VmStartRequest request)
    {
        if (request.KernelPath is null && request.KernelFd is null)
        {
            throw new InvalidRequestException("kernel_path", "images were given but no kernel (path or KERNEL fd)");
        }
        return new VmDefinition
        {
            KernelPath = ImagePath(caller, "kernel_path", request.KernelPath, request.KernelFd) ?? "",
            InitrdPath = ImagePath(caller, "initrd_path", request.InitrdPath, request.InitrdFd),
            RootfsPath = ImagePath(caller, "rootfs_path", request.RootfsPath, request.RootfsFd),
        };
    }

    /// <summary>The authorized path of an image given by path; null for one given as an fd (the run holds the fd).</summary>
    private string? ImagePath(Caller caller, string field, string? path, SafeFileHandle? fd)
    {
        if (path is not null && fd is not null)
        {
            throw new InvalidRequestException(field, $"{field} was given both as a path and as an fd");
        }
        return path is null ? null : _images.Authorize(caller, field, path);
    }

    /// <summary>
    /// The request's disks, each path through the image policy; none named keeps the stored ones
    /// when the request names no image either (a start "as it was"), else there are none.
    /// </summary>
    private IReadOnlyList<DiskDefinition> Disks(Caller caller, VmStartRequest request, VmDefinition? stored)
    {
        if (request.Disks.Count == 0)
        {
            return request.NamesNoImage ? stored?.Disks ?? [] : [];
        }
        if (request.Disks.Count > MaxDisks)
        {
            throw new InvalidRequestException("disks", $"{request.Disks.Count} disks; at most {MaxDisks} extra disks are allowed");
        }
        return [.. request.Disks.Select((disk, i) => new DiskDefinition(DiskPath(caller, $"disks[{i}]", disk), disk.Writable))];
    }

    private string DiskPath(Caller caller, string field, DiskRequest disk) => disk switch
    {
        { Path: not null, Fd: not null } => throw new InvalidRequestException(field, $"{field} was given both as a path and as an fd"),
        { Fd: not null } => "",
        { Path: { } path } => _images.Authorize(caller, field, path),
        _ => throw new InvalidRequestException(field, $"{field} names neither a path nor an fd"),
    };

    private static List<string> CheckKernelParams(IReadOnlyList<string> parameters)
    {
        if (parameters.Count > MaxKernelParams)
        {
            throw new InvalidRequestException("kernel_params", $"at most {MaxKernelParams} kernel parameters are allowed");
        }
        foreach (var parameter in parameters)
        {
            if (parameter.Length == 0 || parameter.Length > MaxKernelParamLength || parameter.Any(c => c is < ' ' or > '~'))
            {
                throw new InvalidRequestException("kernel_params",
                    $"kernel parameters must be 1..{MaxKernelParamLength} printable ASCII characters");
            }
        }
        return [.. parameters];
    }

    private static T InRange<T>(string field, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            throw new InvalidRequestException(field, $"{field} {value} is outside {min}..{max}");
        }
        return value;
    }
}
