using Concierge.DBus;
using Concierge.DBus.Protocol;
using Google.Protobuf;

namespace Concierge.Bench.Service;

/// <summary>Names and the call shapes the bench times, against the service or the replaying peer.</summary>
internal static class Bus
{
    public const string ServiceName = "org.chromium.VmConcierge";
    public const string PeerName = "org.concierge.BenchPeer";
    public const string Root = "/org/chromium/VmConcierge";
    public const string ChromeOs = "org.chromium.VmConcierge";
    public const string Manager = "org.chromium.VmConcierge.Manager";
    public const string Vm = "org.chromium.VmConcierge.Vm";
    public const string Properties = "org.freedesktop.DBus.Properties";

    /// <summary>A Chrome OS face call: one serialized request in an <c>ay</c>.</summary>
    public static CallShape ChromeOsCall(string member, IMessage request)
    {
        var body = new MessageWriter();
        body.WriteByteArray(request.ToByteArray());
        return new CallShape($"Chrome OS {member}", Root, ChromeOs, member, "ay", body);
    }

    /// <summary>The typed face's ListVms() → a(sso).</summary>
    public static CallShape TypedListVms() => new("typed Manager.ListVms", Root, Manager, "ListVms", "", null);

    /// <summary>The typed face's equivalent of GetVmInfo: Properties.GetAll on the VM object.</summary>
    public static CallShape TypedGetAll(string vmPath)
    {
        var body = new MessageWriter();
        body.WriteString(Vm);
        return new CallShape("typed Properties.GetAll(Vm)", vmPath, Properties, "GetAll", "s", body);
    }
}

/// <summary>One method call, sent the same way to whichever destination.</summary>
internal sealed record CallShape(string Label, string Path, string Interface, string Member, string Signature, MessageWriter? Body)
{
    public MethodCall To(string destination) => new()
    {
        Destination = destination,
        Path = Path,
        Interface = Interface,
        Member = Member,
        Signature = Signature,
        Body = Body,
        Timeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>Calls <paramref name="destination"/> and returns the reply (an error reply throws).</summary>
    public Task<Message> CallAsync(DBusConnection connection, string destination) => connection.CallMethodAsync(To(destination));
}
