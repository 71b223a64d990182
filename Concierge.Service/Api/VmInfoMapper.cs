using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Service.Api;

/// <summary>Builds the wire VmInfo from what the registry stores and what a supervisor sees now.</summary>
public static class VmInfoMapper
{
    /// <summary>
    /// The VmInfo of <paramref name="record"/>; <paramref name="live"/> (the supervisor's status,
    /// when one runs) wins over the persisted state.
    /// </summary>
    public static Proto.VmInfo ToVmInfo(VmRecord record, VmStatusSnapshot? live, uint? cid)
    {
        ArgumentNullException.ThrowIfNull(record);
        var state = live?.State ?? record.State;
        var info = new Proto.VmInfo
        {
            Cid = cid ?? record.Cid ?? 0,
            Status = ProtoEnums.ToProto(state),
            Health = ProtoEnums.ToProto(live?.Health ?? VmHealth.Unknown),
            Vcpus = record.Definition.Vcpus,
            MemoryMib = record.Definition.MemoryMiB,
            AllocatedMemory = checked((long)record.Definition.MemoryMiB * 1024 * 1024),
            FailureReason = live?.FailureReason ?? record.FailureReason ?? "",
            RestartCount = (uint)(live?.RestartCount ?? 0),
            KernelVersion = live?.KernelVersion ?? "",
            StartedUsec = ToUnixMicroseconds(live?.StartedAt),
            BootDurationUsec = (long)(live?.BootDuration?.TotalMicroseconds ?? 0),
            LastHeartbeatUsec = ToUnixMicroseconds(live?.LastHeartbeatAt),
        };
        if ((live?.StopReason ?? record.StopReason) is { } reason)
        {
            info.StopReason = ProtoEnums.ToProto(reason);
        }
        return info;
    }

    private static long ToUnixMicroseconds(DateTimeOffset? at) =>
        at is { } value ? (value - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond : 0;
}
