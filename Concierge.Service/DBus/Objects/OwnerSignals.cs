using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus.Objects;

/// <summary>
/// Signals about one user's objects, sent to that user's connections and root's only (unicast,
/// one copy each), never broadcast: another user on the bus never hears that a VM exists, what it
/// is called or what it does. The standard ones (InterfacesAdded/Removed, PropertiesChanged) are
/// written here; interfaces send their own through <see cref="Emit"/>.
/// </summary>
public sealed class OwnerSignals
{
    private readonly DBusConnection _connection;
    private readonly BusPeers _peers;
    private readonly string _managerPath;

    /// <summary>Sends on <paramref name="connection"/> to the audiences <paramref name="peers"/> knows; the ObjectManager is at <paramref name="managerPath"/>.</summary>
    public OwnerSignals(DBusConnection connection, BusPeers peers, string managerPath)
    {
        _connection = connection;
        _peers = peers;
        _managerPath = managerPath;
    }

    /// <summary>Sends signal <paramref name="member"/> of <paramref name="interfaceName"/> from <paramref name="path"/> to the audience of <paramref name="owner"/>.</summary>
    public void Emit(uint owner, string path, string interfaceName, string member, string signature, BodyWriter body)
    {
        ArgumentNullException.ThrowIfNull(body);
        foreach (var destination in _peers.AudienceOf(owner))
        {
            var writer = _connection.GetMessageWriter();
            try
            {
                writer.WriteSignalHeader(destination, path, interfaceName, member, signature);
                body(ref writer);
                // False once our connection is closed: nobody can hear us, and the service stops with it.
                _connection.TrySendMessage(writer.CreateMessage());
            }
            finally
            {
                writer.Dispose();
            }
        }
    }

    /// <summary>ObjectManager.InterfacesAdded for <paramref name="served"/>, with its properties now.</summary>
    public void InterfacesAdded(uint owner, ServedObject served)
    {
        ArgumentNullException.ThrowIfNull(served);
        var interfaces = StandardCalls.Snapshot(served);
        Emit(owner, _managerPath, StandardCalls.ObjectManager, "InterfacesAdded", "oa{sa{sv}}", (ref MessageWriter w) =>
        {
            w.WriteObjectPath(served.Path);
            StandardCalls.WriteInterfaces(ref w, interfaces);
        });
    }

    /// <summary>ObjectManager.InterfacesRemoved for <paramref name="removed"/>.</summary>
    public void InterfacesRemoved(uint owner, ServedObject removed)
    {
        ArgumentNullException.ThrowIfNull(removed);
        Emit(owner, _managerPath, StandardCalls.ObjectManager, "InterfacesRemoved", "oas", (ref MessageWriter w) =>
        {
            w.WriteObjectPath(removed.Path);
            w.WriteArray(removed.Interfaces.Select(i => i.Name).ToArray());
        });
    }

    /// <summary>Properties.PropertiesChanged of <paramref name="interfaceName"/> at <paramref name="path"/>.</summary>
    public void PropertiesChanged(uint owner, string path, string interfaceName, IReadOnlyList<KeyValuePair<string, VariantValue>> changed)
    {
        Emit(owner, path, StandardCalls.Properties, "PropertiesChanged", "sa{sv}as", (ref MessageWriter w) =>
        {
            w.WriteString(interfaceName);
            Reply.WriteProperties(ref w, changed);
            w.WriteArray(Array.Empty<string>());
        });
    }
}
