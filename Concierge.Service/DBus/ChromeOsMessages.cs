using Concierge.Service.Api;
using Concierge.Service.Protocol;
using Concierge.Service.Supervision;
using ProtoHealth = Concierge.Service.Protocol.VmHealth;
using ProtoStopReason = Concierge.Service.Protocol.VmStopReason;
using VmHealth = Concierge.Service.Supervision.VmHealth;
using VmStopReason = Concierge.Service.Supervision.VmStopReason;

namespace Concierge.Service.DBus;

/// <summary>Builds the protobuf shapes of the Chrome OS face from service types.</summary>
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
        };
    }

    public static ExtendedVmInfo Extended(VmView view) => new()
    {
        Name = view.Key.Name,
        OwnerId = Naming.OwnerIds.Format(view.Key.Owner),
        VmInfo = Info(view),
        Status = Status(view.Status.State),
    };

    public static long Usec(DateTimeOffset? at) => at is { } time ? (time - DateTimeOffset.UnixEpoch).Ticks / 10 : 0;
}
