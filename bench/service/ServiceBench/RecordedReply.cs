using Tmds.DBus.Protocol;

namespace Concierge.Bench.Service;

/// <summary>
/// One reply of the service, kept as its values: the peer writes them back with the same library,
/// so its reply carries the same bytes. (Tmds.DBus.Protocol does not hand out a message's raw body.)
/// </summary>
internal abstract record RecordedReply
{
    /// <summary>Reads a Chrome OS face reply: one serialized response in an <c>ay</c>.</summary>
    public static RecordedReply ReadProtobuf(Message reply, object? state) => new ProtobufReply(reply.GetBodyReader().ReadArrayOfByte());

    /// <summary>Reads the typed face's ListVms reply, <c>a(sso)</c>.</summary>
    public static RecordedReply ReadVmList(Message reply, object? state)
    {
        var reader = reply.GetBodyReader();
        var end = reader.ReadArrayStart(DBusType.Struct);
        var vms = new List<(string, string, string)>();
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            vms.Add((reader.ReadString(), reader.ReadString(), reader.ReadObjectPathAsString()));
        }
        return new VmListReply(vms);
    }

    /// <summary>Reads a Properties.GetAll reply, <c>a{sv}</c>.</summary>
    public static RecordedReply ReadProperties(Message reply, object? state) => new PropertiesReply(reply.GetBodyReader().ReadDictionaryOfStringToVariantValue());

    /// <summary>How big the reply is, for the report.</summary>
    public abstract string Size { get; }

    /// <summary>Answers <paramref name="context"/>'s call with this reply.</summary>
    public abstract void Send(MethodContext context);

    private sealed record ProtobufReply(byte[] Payload) : RecordedReply
    {
        /// <summary>The body's bytes: the array's length word and the payload.</summary>
        public override string Size => $"{Payload.Length + 4} B";

        public override void Send(MethodContext context)
        {
            using var writer = context.CreateReplyWriter("ay");
            writer.WriteArray(Payload);
            context.Reply(writer.CreateMessage());
        }
    }

    private sealed record VmListReply(List<(string Name, string State, string Path)> Vms) : RecordedReply
    {
        public override string Size => $"{Vms.Count} VMs";

        public override void Send(MethodContext context)
        {
            using var writer = context.CreateReplyWriter("a(sso)");
            var array = writer.WriteArrayStart(DBusType.Struct);
            foreach (var (name, state, path) in Vms)
            {
                writer.WriteStructureStart();
                writer.WriteString(name);
                writer.WriteString(state);
                writer.WriteObjectPath(path);
            }
            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
        }
    }

    private sealed record PropertiesReply(Dictionary<string, VariantValue> Properties) : RecordedReply
    {
        public override string Size => $"{Properties.Count} properties";

        public override void Send(MethodContext context)
        {
            using var writer = context.CreateReplyWriter("a{sv}");
            writer.WriteDictionary(Properties);
            context.Reply(writer.CreateMessage());
        }
    }
}
