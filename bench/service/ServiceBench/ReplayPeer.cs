using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;

namespace Concierge.Bench.Service;

/// <summary>
/// The trivial peer: a separate process on the same bus, built on the same D-Bus library, that
/// answers the same calls at the same paths with the replies the service gave (recorded byte for
/// byte), doing no work of its own. Service latency minus peer latency is the service's own cost.
/// </summary>
internal static class ReplayPeer
{
    /// <summary>One recorded reply: a method's out signature and body, or (Member empty) an interface's properties as a{sv}.</summary>
    public sealed record Recording(string Path, string Interface, string Member, string InSignature, string OutSignature, byte[] Body)
    {
        public string ToLine() => string.Join('\t', Path, Interface, Member, InSignature, OutSignature, Convert.ToBase64String(Body));

        public static Recording Parse(string line)
        {
            var f = line.Split('\t');
            return new Recording(f[0], f[1], f[2], f[3], f[4], Convert.FromBase64String(f[5]));
        }
    }

    /// <summary>Records the reply of <paramref name="shape"/> from the service.</summary>
    public static async Task<Recording> RecordAsync(DBusConnection connection, CallShape shape)
    {
        using var reply = await shape.CallAsync(connection, Bus.ServiceName);
        return shape.Interface == Bus.Properties
            ? new Recording(shape.Path, Bus.Vm, "", "", "", reply.Body.ToArray())
            : new Recording(shape.Path, shape.Interface, shape.Member, shape.Signature, reply.Signature, reply.Body.ToArray());
    }

    /// <summary>Peer mode: serves the recordings in <paramref name="file"/> until stdin closes.</summary>
    public static async Task<int> ServeAsync(string address, string file)
    {
        var recordings = File.ReadLines(file).Where(l => l.Length > 0).Select(Recording.Parse).ToList();
        await using var connection = await DBusConnection.ConnectAsync(address);
        foreach (var byPath in recordings.GroupBy(r => r.Path))
        {
            var interfaces = byPath.GroupBy(r => r.Interface).Select(g => (DBusInterface)new ReplayInterface(g.Key, [.. g])).ToArray();
            connection.RegisterObject(new DBusObject(new ObjectPath(byPath.Key), interfaces));
        }
        if (await connection.RequestNameAsync(Bus.PeerName, RequestNameFlags.DoNotQueue) != RequestNameReply.PrimaryOwner)
        {
            await Console.Error.WriteLineAsync($"could not own {Bus.PeerName}");
            return 1;
        }
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private sealed class ReplayInterface : DBusInterface
    {
        private readonly Dictionary<string, Recording> _methods;
        private readonly Dictionary<string, Variant> _properties;

        public ReplayInterface(string name, List<Recording> recordings)
            : base(Describe(name, recordings, out var properties))
        {
            _methods = recordings.Where(r => r.Member.Length > 0).ToDictionary(r => r.Member);
            _properties = properties;
        }

        public override ValueTask HandleMethodAsync(MethodContext context)
        {
            var recorded = _methods[context.Member];
            var body = new MessageWriter(recorded.Body.Length + 8);
            // The body starts 8-aligned in every message, so the recorded bytes stay valid as they are.
            foreach (var b in recorded.Body)
            {
                body.WriteByte(b);
            }
            context.Reply(recorded.OutSignature, body);
            return ValueTask.CompletedTask;
        }

        public override Variant GetProperty(string name) => _properties[name];

        private static InterfaceDescription Describe(string name, List<Recording> recordings, out Dictionary<string, Variant> properties)
        {
            properties = recordings.FirstOrDefault(r => r.Member.Length == 0) is { } map
                ? new MessageReader(map.Body, bigEndian: false).ReadPropertyMap()
                : [];
            return new InterfaceDescription(name)
            {
                Methods = [.. recordings.Where(r => r.Member.Length > 0).Select(r => new MethodDescription(r.Member,
                    r.InSignature.Length > 0 ? [new ArgumentDescription("in", r.InSignature)] : [],
                    r.OutSignature.Length > 0 ? [new ArgumentDescription("out", r.OutSignature)] : []))],
                Properties = [.. properties.Select(p => new PropertyDescription(p.Key, p.Value.Signature, PropertyAccess.Read))],
            };
        }
    }
}
