using Concierge.Contracts;
using Concierge.Service.Errors;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus.Objects;

/// <summary>
/// The standard interfaces on a served object, answered for one caller: Introspectable,
/// Properties (every property here is read-only) and, on the root, ObjectManager. The dispatcher
/// has already checked that the caller may see the object; what is listed below it is filtered
/// again per object.
/// </summary>
internal static class StandardCalls
{
    public const string Introspectable = "org.freedesktop.DBus.Introspectable";
    public const string Properties = "org.freedesktop.DBus.Properties";
    public const string ObjectManager = "org.freedesktop.DBus.ObjectManager";

    public static InterfaceContract ObjectManagerContract { get; } = InterfaceContract.Embedded(ObjectManager);

    /// <summary>Introspect: the object's interfaces (none for an intermediate node) and the children the caller may see.</summary>
    public static void Introspect(MethodContext context, ServedObject? served, bool isRoot, string[] children)
    {
        if (context.Request.SignatureAsString.Length != 0)
        {
            throw new CallRefusedException(DBusErrorNames.InvalidArgs, $"{Introspectable}.Introspect takes no arguments");
        }
        var xml = new List<ReadOnlyMemory<byte>>();
        if (served is not null)
        {
            xml.Add(IntrospectionXml.DBusProperties);
            if (isRoot)
            {
                xml.Add(ObjectManagerContract.Xml);
            }
            xml.AddRange(served.Interfaces.Select(i => i.Contract.Xml));
        }
        context.ReplyIntrospectXml([.. xml], children);
    }

    /// <summary>Properties.Get, GetAll and Set on <paramref name="served"/>.</summary>
    public static void HandleProperties(MethodContext context, ServedObject served)
    {
        var request = context.Request;
        switch (request.MemberAsString, request.SignatureAsString)
        {
            case ("Get", "ss"):
            {
                var reader = request.GetBodyReader();
                var (target, property) = Resolve(served, reader.ReadString(), reader.ReadString());
                var value = target.ReadProperty(property.Name);
                Reply.With(context, "v", (ref MessageWriter w) => w.WriteVariant(value));
                return;
            }
            case ("GetAll", "s"):
            {
                var name = request.GetBodyReader().ReadString();
                var target = served.Find(name)
                    ?? throw new CallRefusedException(DBusErrorNames.UnknownInterface, $"{served.Path} has no interface {name}");
                var properties = target.ReadProperties().ToList();
                Reply.With(context, "a{sv}", (ref MessageWriter w) => Reply.WriteProperties(ref w, properties));
                return;
            }
            case ("Set", "ssv"):
            {
                var reader = request.GetBodyReader();
                var (target, property) = Resolve(served, reader.ReadString(), reader.ReadString());
                throw new CallRefusedException(DBusErrorNames.PropertyReadOnly, $"{target.Name}.{property.Name} is read-only");
            }
            case ("Get" or "GetAll" or "Set", var signature):
                throw new CallRefusedException(DBusErrorNames.InvalidArgs, $"{Properties}.{request.MemberAsString} does not take '{signature}'");
            default:
                throw new CallRefusedException(DBusErrorNames.UnknownMethod, $"{Properties} has no method {request.MemberAsString}");
        }
    }

    /// <summary>ObjectManager.GetManagedObjects: the objects below the root that <paramref name="managed"/> holds.</summary>
    public static void HandleObjectManager(MethodContext context, IReadOnlyList<ServedObject> managed)
    {
        var request = context.Request;
        var method = ObjectManagerContract.FindMethod(request.MemberAsString ?? string.Empty)
            ?? throw new CallRefusedException(DBusErrorNames.UnknownMethod, $"{ObjectManager} has no method {request.MemberAsString}");
        if (request.SignatureAsString != method.InSignature)
        {
            throw new CallRefusedException(DBusErrorNames.InvalidArgs, $"{ObjectManager}.{method.Name} takes no arguments");
        }
        var snapshot = managed.Select(o => (o.Path, Interfaces: Snapshot(o))).ToList();
        Reply.With(context, method.OutSignature, (ref MessageWriter w) =>
        {
            var objects = w.WriteDictionaryStart();
            foreach (var (path, interfaces) in snapshot)
            {
                w.WriteDictionaryEntryStart();
                w.WriteObjectPath(path);
                WriteInterfaces(ref w, interfaces);
            }
            w.WriteDictionaryEnd(objects);
        });
    }

    /// <summary>Each interface of <paramref name="served"/> with its properties and their values now.</summary>
    public static List<(string Name, List<KeyValuePair<string, VariantValue>> Properties)> Snapshot(ServedObject served) =>
        [.. served.Interfaces.Select(i => (i.Name, i.ReadProperties().ToList()))];

    /// <summary>Writes <c>a{sa{sv}}</c> from a <see cref="Snapshot"/>.</summary>
    public static void WriteInterfaces(ref MessageWriter writer, List<(string Name, List<KeyValuePair<string, VariantValue>> Properties)> interfaces)
    {
        var map = writer.WriteDictionaryStart();
        foreach (var (name, properties) in interfaces)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(name);
            Reply.WriteProperties(ref writer, properties);
        }
        writer.WriteDictionaryEnd(map);
    }

    private static (ServedInterface, PropertyContract) Resolve(ServedObject served, string interfaceName, string propertyName)
    {
        var target = served.Find(interfaceName)
            ?? throw new CallRefusedException(DBusErrorNames.UnknownInterface, $"{served.Path} has no interface {interfaceName}");
        var property = target.Contract.FindProperty(propertyName)
            ?? throw new CallRefusedException(DBusErrorNames.UnknownProperty, $"{interfaceName} has no property {propertyName}");
        return (target, property);
    }
}
