using Concierge.DBus.Protocol;

namespace Concierge.DBus.Server;

/// <summary>An object to serve: a path and the interfaces it implements.</summary>
public sealed class DBusObject
{
    /// <summary>Creates an object at <paramref name="path"/> implementing <paramref name="interfaces"/>.</summary>
    public DBusObject(ObjectPath path, params DBusInterface[] interfaces)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        if (interfaces.Length == 0 || interfaces.Select(i => i.Name).Distinct(StringComparer.Ordinal).Count() != interfaces.Length)
        {
            throw new ArgumentException("an object needs one or more interfaces with distinct names", nameof(interfaces));
        }
        Path = path;
        Interfaces = interfaces;
    }

    /// <summary>The object path.</summary>
    public ObjectPath Path { get; }

    /// <summary>The interfaces, in introspection order.</summary>
    public IReadOnlyList<DBusInterface> Interfaces { get; }

    /// <summary>The interface called <paramref name="name"/>, or null.</summary>
    public DBusInterface? Find(string? name) => Interfaces.FirstOrDefault(i => i.Name == name);
}
