using System.Security;
using System.Text;

namespace Concierge.DBus.Server;

/// <summary>Generates introspection XML for a node from interface metadata and child names.</summary>
internal static class IntrospectionXml
{
    public const string Peer = "org.freedesktop.DBus.Peer";
    public const string Introspectable = "org.freedesktop.DBus.Introspectable";
    public const string Properties = "org.freedesktop.DBus.Properties";
    public const string ObjectManager = "org.freedesktop.DBus.ObjectManager";

    private const string DocType =
        "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n";

    private static readonly InterfaceDescription PeerInterface = new(Peer)
    {
        Methods = [new("Ping"), new("GetMachineId", outArguments: [new("machine_uuid", "s")])],
    };

    private static readonly InterfaceDescription IntrospectableInterface = new(Introspectable)
    {
        Methods = [new("Introspect", outArguments: [new("xml_data", "s")])],
    };

    private static readonly InterfaceDescription PropertiesInterface = new(Properties)
    {
        Methods =
        [
            new("Get", [new("interface_name", "s"), new("property_name", "s")], [new("value", "v")]),
            new("GetAll", [new("interface_name", "s")], [new("props", "a{sv}")]),
            new("Set", [new("interface_name", "s"), new("property_name", "s"), new("value", "v")]),
        ],
        Signals = [new("PropertiesChanged", [new("interface_name", "s"), new("changed_properties", "a{sv}"), new("invalidated_properties", "as")])],
    };

    private static readonly InterfaceDescription ObjectManagerInterface = new(ObjectManager)
    {
        Methods = [new("GetManagedObjects", outArguments: [new("object_paths_interfaces_and_properties", "a{oa{sa{sv}}}")])],
        Signals =
        [
            new("InterfacesAdded", [new("object_path", "o"), new("interfaces_and_properties", "a{sa{sv}}")]),
            new("InterfacesRemoved", [new("object_path", "o"), new("interfaces", "as")]),
        ],
    };

    /// <summary>XML for a node with the given served object (may be null), manager flag and children.</summary>
    public static string Build(DBusObject? served, bool isManager, IEnumerable<string> children)
    {
        var xml = new StringBuilder(DocType).Append("<node>\n");
        AppendInterface(xml, PeerInterface);
        AppendInterface(xml, IntrospectableInterface);
        if (served is not null)
        {
            AppendInterface(xml, PropertiesInterface);
        }
        if (isManager)
        {
            AppendInterface(xml, ObjectManagerInterface);
        }
        foreach (var dbusInterface in served?.Interfaces ?? [])
        {
            AppendInterface(xml, dbusInterface.Description);
        }
        foreach (var child in children)
        {
            xml.Append(" <node name=\"").Append(Escape(child)).Append("\"/>\n");
        }
        return xml.Append("</node>\n").ToString();
    }

    private static void AppendInterface(StringBuilder xml, InterfaceDescription description)
    {
        xml.Append(" <interface name=\"").Append(Escape(description.Name)).Append("\">\n");
        foreach (var method in description.Methods)
        {
            xml.Append("  <method name=\"").Append(Escape(method.Name)).Append("\">\n");
            AppendArguments(xml, method.In, "in");
            AppendArguments(xml, method.Out, "out");
            xml.Append("  </method>\n");
        }
        foreach (var signal in description.Signals)
        {
            xml.Append("  <signal name=\"").Append(Escape(signal.Name)).Append("\">\n");
            AppendArguments(xml, signal.Arguments, null);
            xml.Append("  </signal>\n");
        }
        foreach (var property in description.Properties)
        {
            var access = property.Access switch
            {
                PropertyAccess.Read => "read",
                PropertyAccess.Write => "write",
                _ => "readwrite",
            };
            xml.Append("  <property name=\"").Append(Escape(property.Name)).Append("\" type=\"").Append(Escape(property.Type))
                .Append("\" access=\"").Append(access).Append('"');
            if (property.EmitsChangedSignal is { } emits)
            {
                xml.Append(">\n   <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"")
                    .Append(Escape(emits)).Append("\"/>\n  </property>\n");
            }
            else
            {
                xml.Append("/>\n");
            }
        }
        xml.Append(" </interface>\n");
    }

    private static void AppendArguments(StringBuilder xml, IEnumerable<ArgumentDescription> arguments, string? direction)
    {
        foreach (var argument in arguments)
        {
            xml.Append("   <arg name=\"").Append(Escape(argument.Name)).Append("\" type=\"").Append(Escape(argument.Type)).Append('"');
            if (direction is not null)
            {
                xml.Append(" direction=\"").Append(direction).Append('"');
            }
            xml.Append("/>\n");
        }
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
