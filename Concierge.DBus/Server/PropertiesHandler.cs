using Concierge.DBus.Protocol;

namespace Concierge.DBus.Server;

/// <summary>org.freedesktop.DBus.Properties on a served object: checks existence, access and types before asking the interface.</summary>
internal static class PropertiesHandler
{
    public static async ValueTask<string> HandleAsync(MethodContext context, DBusObject served)
    {
        switch (context.Member, context.Request.Signature)
        {
            case ("Get", "ss"):
            {
                var (target, property) = Resolve(context, served);
                if (!property.CanRead)
                {
                    throw new DBusException(DBusErrorNames.AccessDenied, $"{target.Name}.{property.Name} is write-only");
                }
                var body = new MessageWriter();
                body.WriteVariant(Checked(target, property, target.GetProperty(property.Name)));
                context.Reply("v", body);
                return "v";
            }
            case ("GetAll", "s"):
            {
                var name = context.GetBodyReader().ReadString();
                var target = served.Find(name)
                    ?? throw new DBusException(DBusErrorNames.UnknownInterface, $"{served.Path} has no interface {name}");
                var body = new MessageWriter();
                body.WritePropertyMap(target.GetAllProperties());
                context.Reply("a{sv}", body);
                return "a{sv}";
            }
            case ("Set", "ssv"):
            {
                var (target, property) = Resolve(context, served);
                var reader = context.GetBodyReader();
                reader.ReadString();
                reader.ReadString();
                var value = reader.ReadVariant();
                if (!property.CanWrite)
                {
                    throw new DBusException(DBusErrorNames.PropertyReadOnly, $"{target.Name}.{property.Name} is read-only");
                }
                if (value.Signature != property.Type)
                {
                    throw new DBusException(DBusErrorNames.InvalidArgs, $"{target.Name}.{property.Name} has type '{property.Type}', got '{value.Signature}'");
                }
                await target.SetPropertyAsync(context, property.Name, value);
                return string.Empty;
            }
            default:
                throw new DBusException(DBusErrorNames.UnknownMethod, $"{IntrospectionXml.Properties} has no method {context.Member}({context.Request.Signature})");
        }
    }

    /// <summary>A property value as the interface reports it, after checking its declared type.</summary>
    public static Variant Checked(DBusInterface target, PropertyDescription property, Variant value) =>
        value.Signature == property.Type
            ? value
            : throw new DBusException(DBusErrorNames.Failed, $"{target.Name}.{property.Name} produced '{value.Signature}' instead of '{property.Type}'");

    private static (DBusInterface, PropertyDescription) Resolve(MethodContext context, DBusObject served)
    {
        var reader = context.GetBodyReader();
        var interfaceName = reader.ReadString();
        var propertyName = reader.ReadString();
        var target = served.Find(interfaceName)
            ?? throw new DBusException(DBusErrorNames.UnknownInterface, $"{served.Path} has no interface {interfaceName}");
        var property = target.Description.FindProperty(propertyName)
            ?? throw new DBusException(DBusErrorNames.UnknownProperty, $"{interfaceName} has no property {propertyName}");
        return (target, property);
    }
}
