using Concierge.Service.Api;
using Concierge.Service.Errors;
using Concierge.Service.Protocol;
using Microsoft.Win32.SafeHandles;
using FdType = Concierge.Service.Protocol.StartVmRequest.Types.FdType;
using ProtoRestartPolicy = Concierge.Service.Protocol.RestartPolicy;
using RestartPolicy = Concierge.Service.Supervision.RestartPolicy;

namespace Concierge.Service.DBus;

/// <summary>
/// The Chrome OS face's inbound mapper: protobuf requests to the service's request types. Only
/// the wire shape is checked here (which fd is which, known enum values); the values themselves
/// are bounded once for both faces by <see cref="VmDefinitionBuilder"/>. Its outbound twin is
/// <see cref="ChromeOsMessages"/>.
/// </summary>
internal static class ChromeOsRequests
{
    /// <summary>
    /// The start request <paramref name="request"/> describes, with its images from
    /// <paramref name="fds"/> where typed so. An entry of <c>disks</c> with a path names its image
    /// by path; each entry without one takes the next STORAGE fd, in order.
    /// </summary>
    /// <exception cref="InvalidRequestException">The fds do not match <c>request.fds</c> or the disks, or a value is not a known one.</exception>
    public static VmStartRequest Start(StartVmRequest request, IReadOnlyList<SafeFileHandle> fds)
    {
        var (images, storage) = ImageFds(request, fds);
        return new VmStartRequest
        {
            Disks = Disks(request, storage),
            KernelPath = NullIfEmpty(request.KernelPath),
            InitrdPath = NullIfEmpty(request.InitrdPath),
            RootfsPath = NullIfEmpty(request.RootfsPath),
            KernelFd = images.GetValueOrDefault(FdType.Kernel),
            InitrdFd = images.GetValueOrDefault(FdType.Initrd),
            RootfsFd = images.GetValueOrDefault(FdType.Rootfs),
            KernelParams = [.. request.KernelParams],
            Vcpus = request.Cpus,
            MemoryMiB = request.MemoryMib,
            StartupTimeoutSeconds = request.Timeout,
            HeartbeatIntervalMs = request.HeartbeatIntervalMs,
            MissedHeartbeats = request.MissedHeartbeats,
            RestartPolicy = Policy(request.RestartPolicy),
        };
    }

    /// <summary>The service policy for the wire <paramref name="policy"/>; an unknown value is refused, never read as Never.</summary>
    public static RestartPolicy Policy(ProtoRestartPolicy policy) => policy switch
    {
        ProtoRestartPolicy.RestartNever => RestartPolicy.Never,
        ProtoRestartPolicy.RestartOnFailure => RestartPolicy.OnFailure,
        ProtoRestartPolicy.RestartOnUnresponsive => RestartPolicy.OnUnresponsive,
        var unknown => throw new InvalidRequestException("restart_policy", $"restart_policy {(int)unknown} is not a known policy"),
    };

    private static List<DiskRequest> Disks(StartVmRequest request, Queue<SafeFileHandle> storage)
    {
        var byFd = request.Disks.Count(d => d.Path.Length == 0);
        if (byFd != storage.Count)
        {
            throw new InvalidRequestException("disks", $"{byFd} disks name no path but {storage.Count} STORAGE fds were passed");
        }
        var disks = new List<DiskRequest>(request.Disks.Count);
        foreach (var disk in request.Disks)
        {
            if (disk.ImageType is not (DiskImageType.DiskImageRaw or DiskImageType.DiskImageAuto))
            {
                throw new InvalidRequestException("disks", $"disk image_type {disk.ImageType} is not supported; only raw images are");
            }
            if (disk.DoMount)
            {
                throw new InvalidRequestException("disks", "do_mount is not supported: the guest mounts its disks itself");
            }
            disks.Add(disk.Path.Length > 0 ? new DiskRequest(disk.Path, null, disk.Writable) : new DiskRequest(null, storage.Dequeue(), disk.Writable));
        }
        return disks;
    }

    private static (Dictionary<FdType, SafeFileHandle> Images, Queue<SafeFileHandle> Storage) ImageFds(StartVmRequest request, IReadOnlyList<SafeFileHandle> fds)
    {
        if (request.Fds.Count != fds.Count)
        {
            throw new InvalidRequestException("fds", $"the request describes {request.Fds.Count} fds but {fds.Count} were passed");
        }
        var images = new Dictionary<FdType, SafeFileHandle>();
        var storage = new Queue<SafeFileHandle>();
        for (var i = 0; i < fds.Count; i++)
        {
            var type = request.Fds[i];
            if (type == FdType.Storage)
            {
                storage.Enqueue(fds[i]);
                continue;
            }
            if (type is not (FdType.Kernel or FdType.Initrd or FdType.Rootfs))
            {
                throw new InvalidRequestException("fds", $"fd type {type} is not supported (KERNEL, INITRD, ROOTFS and STORAGE are)");
            }
            if (!images.TryAdd(type, fds[i]))
            {
                throw new InvalidRequestException("fds", $"fd type {type} was passed twice");
            }
        }
        return (images, storage);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
