using Concierge.DBus.Protocol;

namespace Concierge.DBus.Server;

/// <summary>org.freedesktop.DBus.ObjectManager: GetManagedObjects, and the bodies of InterfacesAdded/Removed.</summary>
internal static class ObjectManagerHandler
{
    public static string Handle(MethodContext context, ObjectTree tree)
    {
        if (context.Member != "GetManagedObjects" || context.Request.Signature.Length != 0)
        {
            throw new DBusException(DBusErrorNames.UnknownMethod, $"{IntrospectionXml.ObjectManager} has no method {context.Member}");
        }
        var body = new MessageWriter();
        var objects = body.WriteArrayStart('{');
        foreach (var managed in tree.Below(context.Path))
        {
            body.WriteStructStart();
            body.WriteObjectPath(managed.Path);
            WriteInterfaces(body, managed);
        }
        body.WriteArrayEnd(objects);
        context.Reply("a{oa{sa{sv}}}", body);
        return "a{oa{sa{sv}}}";
    }

    /// <summary>Writes <c>a{sa{sv}}</c>: each interface of <paramref name="managed"/> with its readable properties.</summary>
    public static void WriteInterfaces(MessageWriter body, DBusObject managed)
    {
        var interfaces = body.WriteArrayStart('{');
        foreach (var dbusInterface in managed.Interfaces)
        {
            body.WriteStructStart();
            body.WriteString(dbusInterface.Name);
            body.WritePropertyMap(dbusInterface.GetAllProperties());
        }
        body.WriteArrayEnd(interfaces);
    }
}
