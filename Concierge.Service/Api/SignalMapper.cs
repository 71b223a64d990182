using Concierge.Service.Naming;
using Concierge.Service.Supervision;
using Google.Protobuf;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Service.Api;

/// <summary>
/// Which Chrome OS lifecycle signal a transition is, if any: entering Starting is
/// VmStartingUpSignal, Starting → Running is VmStartedSignal (the guest can take requests),
/// entering Stopping is VmStoppingSignal, entering Stopped or Failed is VmStoppedSignal. Health
/// changes and suspend/resume have no Chrome OS signal; they show as property changes.
/// </summary>
public static class SignalMapper
{
    /// <summary>The signal payload for <paramref name="transition"/>, or null.</summary>
    public static IMessage? ToSignal(VmTransition transition, Proto.VmInfo vmInfo)
    {
        ArgumentNullException.ThrowIfNull(transition);
        if (!transition.StateChanged)
        {
            return null;
        }
        var name = transition.Key.Name;
        var owner = OwnerIds.Format(transition.Key.Owner);
        return (transition.Previous.State, transition.Current.State) switch
        {
            (_, VmState.Starting) => new Proto.VmStartingUpSignal { Name = name, OwnerId = owner, Cid = transition.Cid },
            (VmState.Starting, VmState.Running) => new Proto.VmStartedSignal
            {
                Name = name,
                OwnerId = owner,
                VmInfo = vmInfo,
                Status = Proto.VmStatus.Running,
            },
            (_, VmState.Stopping) => new Proto.VmStoppingSignal { Name = name, OwnerId = owner, Cid = transition.Cid },
            (_, VmState.Stopped or VmState.Failed) => new Proto.VmStoppedSignal
            {
                Name = name,
                OwnerId = owner,
                Cid = transition.Cid,
                Reason = ProtoEnums.ToProto(transition.Current.StopReason ?? VmStopReason.VmExited),
                FailureReason = transition.Current.FailureReason ?? "",
            },
            _ => null,
        };
    }
}
