using Google.Protobuf;
using Tmds.DBus.Protocol;

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

    /// <summary>A Chrome OS face call: one serialized request in an <c>ay</c>, one serialized response back.</summary>
    public static CallShape ChromeOsCall(string member, IMessage request)
    {
        var payload = request.ToByteArray();
        return new CallShape($"Chrome OS {member}", Root, ChromeOs, member, "ay", (ref MessageWriter body) => body.WriteArray(payload),
            RecordedReply.ReadProtobuf);
    }

    /// <summary>The typed face's ListVms() → a(sso).</summary>
    public static CallShape TypedListVms() => new("typed Manager.ListVms", Root, Manager, "ListVms", null, null, RecordedReply.ReadVmList);

    /// <summary>The typed face's equivalent of GetVmInfo: Properties.GetAll on the VM object.</summary>
    public static CallShape TypedGetAll(string vmPath) =>
        new("typed Properties.GetAll(Vm)", vmPath, Properties, "GetAll", "s", (ref MessageWriter body) => body.WriteString(Vm), RecordedReply.ReadProperties);

    /// <summary>The payload of a Chrome OS face reply (read on the receive loop; parse it after).</summary>
    public static byte[] ReadPayload(Message reply, object? state) => reply.GetBodyReader().ReadArrayOfByte();
}

/// <summary>Writes a call's arguments after its header.</summary>
internal delegate void BodyWriter(ref MessageWriter body);

/// <summary>One method call, sent the same way to whichever destination, and how to record its reply.</summary>
internal sealed record CallShape(string Label, string Path, string Interface, string Member, string? Signature, BodyWriter? Body,
    MessageValueReader<RecordedReply> Record)
{
    /// <summary>A hung call fails the bench instead of stalling it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Calls <paramref name="destination"/> and drops the reply (an error reply throws).</summary>
    public Task CallAsync(DBusConnection connection, string destination) =>
        connection.CallMethodAsync(To(connection, destination)).WaitAsync(Timeout);

    /// <summary>Calls <paramref name="destination"/> and returns what <paramref name="read"/> takes from the reply (an error reply throws).</summary>
    public Task<T> CallAsync<T>(DBusConnection connection, string destination, MessageValueReader<T> read) =>
        connection.CallMethodAsync(To(connection, destination), read).WaitAsync(Timeout);

    private MessageBuffer To(DBusConnection connection, string destination)
    {
        // Not 'using var': the body writer takes the writer by ref, which a using variable cannot be passed as.
        var writer = connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(destination, Path, Interface, Member, Signature);
            Body?.Invoke(ref writer);
            return writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
    }
}
