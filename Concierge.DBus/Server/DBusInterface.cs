using Concierge.DBus.Protocol;

namespace Concierge.DBus.Server;

/// <summary>
/// One interface of a served object. The dispatcher calls <see cref="HandleMethodAsync"/> only for
/// methods the <see cref="Description"/> declares and only when the body signature matches, and
/// answers Properties.Get/GetAll/Set through <see cref="GetProperty"/> and <see cref="SetPropertyAsync"/>
/// after checking the property exists and allows the access.
/// </summary>
public abstract class DBusInterface
{
    /// <summary>Creates the interface with its metadata.</summary>
    protected DBusInterface(InterfaceDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        Description = description;
    }

    /// <summary>The interface metadata.</summary>
    public InterfaceDescription Description { get; }

    /// <summary>The interface name.</summary>
    public string Name => Description.Name;

    /// <summary>
    /// Handles a declared method. Reply through the context; returning without a reply sends an
    /// empty return for methods without out arguments. Throw <see cref="DBusException"/> for an error reply.
    /// </summary>
    public virtual ValueTask HandleMethodAsync(MethodContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        throw new DBusException(DBusErrorNames.UnknownMethod, $"{Name}.{context.Member} is not implemented");
    }

    /// <summary>The current value of readable property <paramref name="name"/>.</summary>
    public virtual Variant GetProperty(string name) =>
        throw new DBusException(DBusErrorNames.UnknownProperty, $"{Name}.{name} cannot be read");

    /// <summary>Sets writable property <paramref name="name"/>; the value already has the declared type.</summary>
    public virtual ValueTask SetPropertyAsync(MethodContext context, string name, Variant value) =>
        throw new DBusException(DBusErrorNames.PropertyReadOnly, $"{Name}.{name} cannot be set");

    /// <summary>All readable properties and their values (for GetAll and ObjectManager).</summary>
    public IEnumerable<KeyValuePair<string, Variant>> GetAllProperties()
    {
        foreach (var property in Description.Properties)
        {
            if (property.CanRead)
            {
                yield return new(property.Name, GetProperty(property.Name));
            }
        }
    }
}
