using Concierge.Service.Protocol;
using ProtoHealth = Concierge.Service.Protocol.VmHealth;
using ProtoRestart = Concierge.Service.Protocol.RestartPolicy;

namespace Concierge.Client;

/// <summary>Between the Chrome OS face's protobuf messages and the client's records.</summary>
internal static class ProtoMapping
{
    public static VmDetails Details(string name, string ownerId, VmInfo? info, VmStatus status)
    {
        info ??= new VmInfo();
        var state = State(status != VmStatus.Unknown ? status : info.Status);
        return new VmDetails
        {
            Name = name,
            OwnerId = ownerId,
            State = state,
            Health = info.Health switch
            {
                ProtoHealth.Healthy => VmHealth.Healthy,
                ProtoHealth.Unresponsive => VmHealth.Unresponsive,
                _ => VmHealth.Unknown,
            },
            Cid = info.Cid,
            Vcpus = info.Vcpus,
            MemoryMiB = info.MemoryMib,
            StartedAt = Time(info.StartedUsec),
            BootDuration = info.BootDurationUsec > 0 ? TimeSpan.FromMicroseconds(info.BootDurationUsec) : null,
            LastHeartbeatAt = Time(info.LastHeartbeatUsec),
            StopReason = state is VmState.Stopped or VmState.Failed && info.StartedUsec != 0 ? StopReason(info.StopReason) : null,
            FailureReason = info.FailureReason is { Length: > 0 } reason ? reason : null,
            RestartCount = info.RestartCount,
            KernelVersion = info.KernelVersion is { Length: > 0 } kernel ? kernel : null,
            Guest = GuestVitals.FromReported(info.GuestUptimeUsec, info.GuestLoad1, info.GuestLoad5, info.GuestLoad15,
                info.GuestMemoryAvailableBytes, info.GuestMemoryTotalBytes),
            HeartbeatsMissed = info.HeartbeatsMissed,
        };
    }

    public static VmState State(VmStatus status) => status switch
    {
        VmStatus.Starting => VmState.Starting,
        VmStatus.Running => VmState.Running,
        VmStatus.Stopping => VmState.Stopping,
        VmStatus.Stopped => VmState.Stopped,
        VmStatus.Failure => VmState.Failed,
        VmStatus.Suspended => VmState.Suspended,
        _ => VmState.Unknown,
    };

    /// <summary>Stop reasons in the typed face's words (its StopReason property), for tables, logs and JSON.</summary>
    public static string StopReason(VmStopReason reason) => reason switch
    {
        VmStopReason.VmExited => "vm-exited",
        VmStopReason.StopVmRequested => "stop-requested",
        VmStopReason.StopAllVmsRequested => "stop-all-requested",
        VmStopReason.DestroyDiskImageRequested => "destroy-disk-image-requested",
        VmStopReason.ServiceShutdown => "service-shutdown",
        VmStopReason.SiblingVmExited => "sibling-vm-exited",
        VmStopReason.KillRequested => "kill-requested",
        VmStopReason.VmFailed => "failed",
        VmStopReason.VmUnresponsive => "unresponsive",
        VmStopReason.ServiceCrashed => "service-crashed",
        _ => "unknown",
    };

    public static StartVmRequest StartRequest(string name, string ownerId, VmStartOptions options)
    {
        var request = new StartVmRequest
        {
            Name = name,
            OwnerId = ownerId,
            Cpus = options.Vcpus,
            MemoryMib = options.MemoryMiB,
            Timeout = options.StartupTimeoutSeconds,
            KernelPath = options.KernelPath ?? string.Empty,
            InitrdPath = options.InitrdPath ?? string.Empty,
            RootfsPath = options.RootfsPath ?? string.Empty,
            RestartPolicy = options.RestartPolicy switch
            {
                RestartPolicy.OnFailure => ProtoRestart.RestartOnFailure,
                RestartPolicy.OnUnresponsive => ProtoRestart.RestartOnUnresponsive,
                _ => ProtoRestart.RestartNever,
            },
        };
        request.KernelParams.AddRange(options.KernelParams);
        request.Disks.AddRange(options.Disks.Select(disk => new DiskImage { Path = disk.Path, Writable = disk.Writable, ImageType = DiskImageType.DiskImageRaw }));
        return request;
    }

    private static DateTimeOffset? Time(long unixMicroseconds) =>
        unixMicroseconds > 0 ? DateTimeOffset.UnixEpoch.AddTicks(unixMicroseconds * 10) : null;
}
