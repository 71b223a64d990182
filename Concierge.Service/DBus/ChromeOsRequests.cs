using Concierge.Service.Api;
using Concierge.Service.Naming;
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
    /// <summary>The start request <paramref name="request"/> describes, with its images from <paramref name="fds"/> where typed so.</summary>
    /// <exception cref="InvalidRequestException">The fds do not match <c>request.fds</c>, or a value is not a known one.</exception>
    public static VmStartRequest Start(StartVmRequest request, IReadOnlyList<SafeFileHandle> fds)
    {
        if (request.Disks.Count > 0)
        {
            throw new InvalidRequestException("disks", "extra disks are not supported; give the root filesystem as rootfs_path or a ROOTFS fd");
        }
        var images = ImageFds(request, fds);
        return new VmStartRequest
        {
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

    private static Dictionary<FdType, SafeFileHandle> ImageFds(StartVmRequest request, IReadOnlyList<SafeFileHandle> fds)
    {
        if (request.Fds.Count != fds.Count)
        {
            throw new InvalidRequestException("fds", $"the request describes {request.Fds.Count} fds but {fds.Count} were passed");
        }
        var images = new Dictionary<FdType, SafeFileHandle>();
        for (var i = 0; i < fds.Count; i++)
        {
            var type = request.Fds[i];
            if (type is not (FdType.Kernel or FdType.Initrd or FdType.Rootfs))
            {
                throw new InvalidRequestException("fds", $"fd type {type} is not supported (KERNEL, INITRD and ROOTFS are)");
            }
            if (!images.TryAdd(type, fds[i]))
            {
                throw new InvalidRequestException("fds", $"fd type {type} was passed twice");
            }
        }
        return images;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
