using Concierge.DBus.Protocol;
using Concierge.DBus.Server;

namespace Concierge.DBus;

/// <summary>Serving objects: registration, ObjectManager roots, and the standard signals.</summary>
public sealed partial class DBusConnection
{
    /// <summary>
    /// Serves <paramref name="dbusObject"/>. If an ObjectManager root lies above it, InterfacesAdded is emitted.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another object is already registered at that path.</exception>
    public void RegisterObject(DBusObject dbusObject)
    {
        ArgumentNullException.ThrowIfNull(dbusObject);
        _objects.Add(dbusObject);
        foreach (var manager in _objects.ManagersOf(dbusObject.Path.Value))
        {
            var body = new MessageWriter();
            body.WriteObjectPath(dbusObject.Path);
            ObjectManagerHandler.WriteInterfaces(body, dbusObject);
            SendSignal(manager, IntrospectionXml.ObjectManager, "InterfacesAdded", "oa{sa{sv}}", body);
        }
    }

    /// <summary>Stops serving the object at <paramref name="path"/>; emits InterfacesRemoved under an ObjectManager.</summary>
    /// <returns>False if nothing was registered there.</returns>
    public bool UnregisterObject(ObjectPath path)
    {
        var removed = _objects.Remove(path.Value);
        if (removed is null)
        {
            return false;
        }
        foreach (var manager in _objects.ManagersOf(path.Value))
        {
            var body = new MessageWriter();
            body.WriteObjectPath(path);
            body.WriteStringArray(removed.Interfaces.Select(i => i.Name));
            SendSignal(manager, IntrospectionXml.ObjectManager, "InterfacesRemoved", "oas", body);
        }
        return true;
    }

    /// <summary>Serves org.freedesktop.DBus.ObjectManager at <paramref name="path"/> for every object below it.</summary>
    public void AddObjectManager(ObjectPath path) => _objects.AddManager(path.Value);

    /// <summary>Emits org.freedesktop.DBus.Properties.PropertiesChanged for <paramref name="interface"/> at <paramref name="path"/>.</summary>
    public void EmitPropertiesChanged(ObjectPath path, string @interface, IEnumerable<KeyValuePair<string, Variant>> changed, IEnumerable<string>? invalidated = null)
    {
        var body = new MessageWriter();
        body.WriteString(@interface);
        body.WritePropertyMap(changed);
        body.WriteStringArray(invalidated ?? []);
        SendSignal(path.Value, IntrospectionXml.Properties, "PropertiesChanged", "sa{sv}as", body);
    }
}
