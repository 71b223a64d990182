using Concierge.Service.Storage;
using Concierge.Service.Supervision;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Service.Api;

/// <summary>Our lifecycle enums as concierge_service.proto spells them, and back.</summary>
public static class ProtoEnums
{
    /// <summary>The wire status of <paramref name="state"/>.</summary>
    public static Proto.VmStatus ToProto(VmState state) => state switch
    {
        VmState.Starting => Proto.VmStatus.Starting,
        VmState.Running => Proto.VmStatus.Running,
        VmState.Stopping => Proto.VmStatus.Stopping,
        VmState.Stopped => Proto.VmStatus.Stopped,
        VmState.Failed => Proto.VmStatus.Failure,
        VmState.Suspended => Proto.VmStatus.Suspended,
        _ => Proto.VmStatus.Unknown,
    };

    /// <summary>The wire health of <paramref name="health"/>.</summary>
    public static Proto.VmHealth ToProto(VmHealth health) => health switch
    {
        VmHealth.Healthy => Proto.VmHealth.Healthy,
        VmHealth.Unresponsive => Proto.VmHealth.Unresponsive,
        _ => Proto.VmHealth.Unknown,
    };

    /// <summary>The wire stop reason of <paramref name="reason"/>.</summary>
    public static Proto.VmStopReason ToProto(VmStopReason reason) => reason switch
    {
        VmStopReason.VmExited => Proto.VmStopReason.VmExited,
        VmStopReason.StopRequested => Proto.VmStopReason.StopVmRequested,
        VmStopReason.StopAllRequested => Proto.VmStopReason.StopAllVmsRequested,
        VmStopReason.DestroyDiskImageRequested => Proto.VmStopReason.DestroyDiskImageRequested,
        VmStopReason.ServiceShutdown => Proto.VmStopReason.ServiceShutdown,
        VmStopReason.KillRequested => Proto.VmStopReason.KillRequested,
        VmStopReason.Failed => Proto.VmStopReason.VmFailed,
        VmStopReason.Unresponsive => Proto.VmStopReason.VmUnresponsive,
        VmStopReason.ServiceCrashed => Proto.VmStopReason.ServiceCrashed,
        _ => Proto.VmStopReason.VmExited,
    };

    /// <summary>The supervisor policy for the wire <paramref name="policy"/>.</summary>
    public static RestartPolicy FromProto(Proto.RestartPolicy policy) => policy switch
    {
        Proto.RestartPolicy.RestartOnFailure => RestartPolicy.OnFailure,
        Proto.RestartPolicy.RestartOnUnresponsive => RestartPolicy.OnUnresponsive,
        _ => RestartPolicy.Never,
    };

    /// <summary>The wire policy of <paramref name="policy"/>.</summary>
    public static Proto.RestartPolicy ToProto(RestartPolicy policy) => policy switch
    {
        RestartPolicy.OnFailure => Proto.RestartPolicy.RestartOnFailure,
        RestartPolicy.OnUnresponsive => Proto.RestartPolicy.RestartOnUnresponsive,
        _ => Proto.RestartPolicy.RestartNever,
    };

    /// <summary>The wire disk status of a create outcome.</summary>
    public static Proto.DiskImageStatus ToProto(DiskCreateOutcome outcome) =>
        outcome == DiskCreateOutcome.Created ? Proto.DiskImageStatus.DiskStatusCreated : Proto.DiskImageStatus.DiskStatusExists;
}
