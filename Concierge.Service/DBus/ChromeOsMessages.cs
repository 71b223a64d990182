using Concierge.Service.Protocol;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;
using Google.Protobuf;
using ProtoHealth = Concierge.Service.Protocol.VmHealth;
using ProtoStopReason = Concierge.Service.Protocol.VmStopReason;
using VmHealth = Concierge.Service.Supervision.VmHealth;
using VmStopReason = Concierge.Service.Supervision.VmStopReason;

namespace Concierge.Service.DBus;

/// <summary>
/// The Chrome OS face's outbound mapper: the protobuf replies and signals built from service
/// types. Its inbound twin is <see cref="ChromeOsRequests"/>.
/// </summary>
internal static class ChromeOsMessages
{
    public static VmStatus Status(VmState state) => state switch
    {
        VmState.Starting => VmStatus.Starting,
        VmState.Running => VmStatus.Running,
        VmState.Stopping => VmStatus.Stopping,
        VmState.Suspended => VmStatus.Suspended,
        VmState.Failed => VmStatus.Failure,
        _ => VmStatus.Stopped,
    };

    public static ProtoStopReason StopReason(VmStopReason reason) => reason switch
    {
        VmStopReason.VmExited => ProtoStopReason.VmExited,
        VmStopReason.StopRequested => ProtoStopReason.StopVmRequested,
        VmStopReason.StopAllRequested => ProtoStopReason.StopAllVmsRequested,
        VmStopReason.DestroyDiskImageRequested => ProtoStopReason.DestroyDiskImageRequested,
        VmStopReason.ServiceShutdown => ProtoStopReason.ServiceShutdown,
        VmStopReason.KillRequested => ProtoStopReason.KillRequested,
        VmStopReason.Unresponsive => ProtoStopReason.VmUnresponsive,
        VmStopReason.ServiceCrashed => ProtoStopReason.ServiceCrashed,
        _ => ProtoStopReason.VmFailed,
    };

    public static ProtoHealth Health(VmHealth health) => health switch
    {
        VmHealth.Healthy => ProtoHealth.Healthy,
        VmHealth.Unresponsive => ProtoHealth.Unresponsive,
        _ => ProtoHealth.Unknown,
    };

    public static DiskImageStatus DiskStatus(Storage.DiskCreateOutcome outcome) =>
        outcome == Storage.DiskCreateOutcome.Created ? DiskImageStatus.DiskStatusCreated : DiskImageStatus.DiskStatusExists;

    public static VmInfo Info(VmView view)
    {
        var status = view.Status;
        return new VmInfo
        {
            // The monitor runs inside the service, so the VM's process is the service.
            Pid = Environment.ProcessId,
            Cid = view.Cid ?? 0,
            VmType = VmInfo.Types.VmType.Unknown,
            Status = Status(status.State),
            AllocatedMemory = (long)(view.Definition.MemoryMiB << 20),
            Health = Health(status.Health),
            Vcpus = view.Definition.Vcpus,
            MemoryMib = view.Definition.MemoryMiB,
            StartedUsec = Usec(status.StartedAt),
            BootDurationUsec = status.BootDuration is { } boot ? (long)boot.TotalMicroseconds : 0,
            LastHeartbeatUsec = Usec(status.LastHeartbeatAt),
            StopReason = status.StopReason is { } reason ? StopReason(reason) : ProtoStopReason.VmExited,
            FailureReason = status.FailureReason ?? string.Empty,
            RestartCount = (uint)Math.Max(0, status.RestartCount),
            KernelVersion = status.KernelVersion ?? string.Empty,
            GuestUptimeUsec = status.GuestVitals is { } vitals ? (long)vitals.Uptime.TotalMicroseconds : 0,
            GuestLoad1 = status.GuestVitals?.Load1 ?? 0,
            GuestLoad5 = status.GuestVitals?.Load5 ?? 0,
            GuestLoad15 = status.GuestVitals?.Load15 ?? 0,
            GuestMemoryAvailableBytes = status.GuestVitals?.MemoryAvailableBytes ?? 0,
            GuestMemoryTotalBytes = status.GuestVitals?.MemoryTotalBytes ?? 0,
            HeartbeatsMissed = status.HeartbeatsMissed,
        };
    }

    public static ExtendedVmInfo Extended(VmView view) => new()
    {
        Name = view.Key.Name,
        OwnerId = Naming.OwnerIds.Format(view.Key.Owner),
        VmInfo = Info(view),
        Status = Status(view.Status.State),
    };

    /// <summary>
    /// The Chrome OS signal <paramref name="transition"/> is, if any: entering Starting is
    /// VmStartingUpSignal, Starting → Running is VmStartedSignal (the guest takes requests; it
    /// carries <paramref name="view"/>'s VmInfo), entering Stopping is VmStoppingSignal, entering
    /// Stopped or Failed is VmStoppedSignal. Health changes and suspend/resume have no Chrome OS
    /// signal; they show as property changes on the typed face.
    /// </summary>
    public static (string Member, IMessage Payload)? Signal(VmTransition transition, VmView? view)
    {
        if (!transition.StateChanged)
        {
            return null;
        }
        var key = transition.Key;
        var owner = Naming.OwnerIds.Format(key.Owner);
        var current = transition.Current;
        return current.State switch
        {
            VmState.Starting => ("VmStartingUpSignal", new VmStartingUpSignal { Name = key.Name, OwnerId = owner, Cid = transition.Cid }),
            VmState.Running when transition.Previous.State == VmState.Starting => ("VmStartedSignal", new VmStartedSignal
            {
                Name = key.Name,
                OwnerId = owner,
                VmInfo = view is null ? null : Info(view),
                Status = VmStatus.Running,
            }),
            VmState.Stopping => ("VmStoppingSignal", new VmStoppingSignal { Name = key.Name, OwnerId = owner, Cid = transition.Cid }),
            VmState.Stopped or VmState.Failed => ("VmStoppedSignal", new VmStoppedSignal
            {
                Name = key.Name,
                OwnerId = owner,
                Cid = transition.Cid,
                Reason = StopReason(current.StopReason ?? VmStopReason.Failed),
                FailureReason = current.FailureReason ?? string.Empty,
            }),
            _ => null,
        };
    }

    public static long Usec(DateTimeOffset? at) => at is { } time ? (time - DateTimeOffset.UnixEpoch).Ticks / 10 : 0;
}
