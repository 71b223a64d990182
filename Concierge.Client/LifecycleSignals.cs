using Concierge.Service.Protocol;
using Google.Protobuf;
using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>Parses the Chrome OS face's lifecycle signals (one serialized message in an <c>ay</c> each).</summary>
internal static class LifecycleSignals
{
    /// <summary>
    /// The event in <paramref name="signal"/>, or null for other members or malformed bodies: this
    /// runs on the receive loop, where an exception would close the connection.
    /// </summary>
    public static VmLifecycleEvent? TryParse(Message signal)
    {
        if (signal.SignatureAsString != "ay")
        {
            return null;
        }
        try
        {
            var payload = signal.GetBodyReader().ReadArrayOfByte();
            return signal.MemberAsString switch
            {
                "VmStartingUpSignal" => StartingUp(VmStartingUpSignal.Parser.ParseFrom(payload)),
                "VmStartedSignal" => Started(VmStartedSignal.Parser.ParseFrom(payload)),
                "VmStoppingSignal" => Stopping(VmStoppingSignal.Parser.ParseFrom(payload)),
                "VmStoppedSignal" => Stopped(VmStoppedSignal.Parser.ParseFrom(payload)),
                _ => null,
            };
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    private static VmLifecycleEvent StartingUp(VmStartingUpSignal s) =>
        new() { Kind = VmLifecycleEventKind.StartingUp, Name = s.Name, OwnerId = s.OwnerId, Cid = s.Cid };

    private static VmLifecycleEvent Started(VmStartedSignal s) => new()
    {
        Kind = VmLifecycleEventKind.Started,
        Name = s.Name,
        OwnerId = s.OwnerId,
        Cid = s.VmInfo?.Cid ?? 0,
        Details = ProtoMapping.Details(s.Name, s.OwnerId, s.VmInfo, s.Status),
    };

    private static VmLifecycleEvent Stopping(VmStoppingSignal s) =>
        new() { Kind = VmLifecycleEventKind.Stopping, Name = s.Name, OwnerId = s.OwnerId, Cid = s.Cid };

    private static VmLifecycleEvent Stopped(VmStoppedSignal s) => new()
    {
        Kind = VmLifecycleEventKind.Stopped,
        Name = s.Name,
        OwnerId = s.OwnerId,
        Cid = s.Cid,
        StopReason = ProtoMapping.StopReason(s.Reason),
        FailureReason = s.FailureReason is { Length: > 0 } reason ? reason : null,
    };
}
