using System.Text;
using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;

namespace Concierge.Tests.DBus.TestObjects;

/// <summary>
/// The interface tests serve: echo methods that send back whatever they receive (so real peers'
/// type syntax is checked end to end), fd methods, failures, a slow method, and properties.
/// </summary>
public sealed class TestInterface : DBusInterface
{
    public const string InterfaceName = "org.concierge.Test1";

    public const string BasicsSignature = "ybnqiuxtdsog";
    public const string ContainersSignature = "aiasa{sv}(isd)a(sa{si})aayv";
    public const string CollectionsSignature = "asa{si}v";

    private static readonly InterfaceDescription Metadata = new(InterfaceName)
    {
        Methods =
        [
            Echo("Basics", BasicsSignature),
            Echo("Containers", ContainersSignature),
            Echo("EchoVariant", "v"),
            Echo("Collections", CollectionsSignature),
            Echo("BasicsWithoutSignature", BasicsSignature[..^1]),
            new("ReadFile", [new("fd", "h")], [new("content", "s")]),
            new("OpenFile", [new("path", "s")], [new("fd", "h")]),
            new("Fail", [new("error_name", "s"), new("message", "s")]),
            new("Crash"),
            new("Sleep", [new("milliseconds", "u")]),
            new("SleepDeferred", [new("milliseconds", "u")], [new("slept", "u")]),
            new("EmitPing", [new("text", "s")]),
            new("WhoAmI", outArguments: [new("uid", "u")]),
        ],
        Signals = [new("Ping", [new("text", "s")])],
        Properties =
        [
            new("Name", "s", PropertyAccess.Read),
            new("Count", "u", PropertyAccess.ReadWrite),
            new("Tags", "as", PropertyAccess.Read, "const"),
            new("Secret", "s", PropertyAccess.Write),
        ],
    };

    private uint _count = 7;

    public TestInterface()
        : base(Metadata)
    {
    }

    public string Secret { get; private set; } = string.Empty;

    public int Calls { get; private set; }

    public override async ValueTask HandleMethodAsync(MethodContext context)
    {
        Calls++;
        switch (context.Member)
        {
            case "Basics" or "BasicsWithoutSignature" or "Containers" or "EchoVariant" or "Collections":
                var signature = context.Request.Signature;
                var values = context.GetBodyReader().ReadValues(signature);
                var body = new MessageWriter();
                body.WriteValues(signature, values);
                context.Reply(signature, body);
                break;
            case "ReadFile":
                using (var fd = context.GetBodyReader().ReadUnixFd())
                using (var stream = new FileStream(fd, FileAccess.Read))
                using (var reader = new StreamReader(stream, Encoding.UTF8))
                {
                    var text = new MessageWriter();
                    text.WriteString(await reader.ReadToEndAsync());
                    context.Reply("s", text);
                }
                break;
            case "OpenFile":
                using (var file = File.OpenHandle(context.GetBodyReader().ReadString()))
                {
                    var reply = new MessageWriter();
                    reply.WriteUnixFd(file);
                    context.Reply("h", reply);
                }
                break;
            case "Fail":
                var reader2 = context.GetBodyReader();
                throw new DBusException(reader2.ReadString(), reader2.ReadString());
            case "Crash":
                throw new InvalidOperationException("handler bug");
            case "Sleep":
                var milliseconds = context.GetBodyReader().ReadUInt32();
                await Task.Delay((int)milliseconds, context.RequestAborted);
                break;
            case "SleepDeferred":
                // Reply from our own task so the dispatch loop can serve other calls meanwhile.
                var delay = context.GetBodyReader().ReadUInt32();
                context.DeferReply();
                _ = Task.Run(async () =>
                {
                    await Task.Delay((int)delay, context.RequestAborted);
                    var slept = new MessageWriter();
                    slept.WriteUInt32(delay);
                    context.Reply("u", slept);
                });
                break;
            case "EmitPing":
                var ping = new MessageWriter();
                ping.WriteString(context.GetBodyReader().ReadString());
                context.Connection.SendSignal(context.Path, InterfaceName, "Ping", "s", ping);
                break;
            case "WhoAmI":
                var uid = await context.Connection.GetConnectionUnixUserAsync(context.Sender!);
                var who = new MessageWriter();
                who.WriteUInt32(uid);
                context.Reply("u", who);
                break;
        }
    }

    public override Variant GetProperty(string name) => name switch
    {
        "Name" => Variant.FromString("test object"),
        "Count" => Variant.FromUInt32(_count),
        "Tags" => Variant.FromStringArray(["a", "b"]),
        _ => base.GetProperty(name),
    };

    public override ValueTask SetPropertyAsync(MethodContext context, string name, Variant value)
    {
        switch (name)
        {
            case "Count":
                _count = (uint)value.Value;
                context.Connection.EmitPropertiesChanged(new ObjectPath(context.Path), InterfaceName, [new("Count", value)]);
                break;
            case "Secret":
                Secret = (string)value.Value;
                break;
        }
        return ValueTask.CompletedTask;
    }

    private static MethodDescription Echo(string name, string signature)
    {
        var arguments = Signature.SplitCompleteTypes(signature).Select((type, i) => new ArgumentDescription($"arg{i}", type)).ToList();
        return new(name, arguments, arguments);
    }
}
