using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// The calls the client makes to the bus daemon itself (<c>org.freedesktop.DBus</c>), which
/// Tmds.DBus.Protocol does not wrap: who we are, and whether the service owns its name.
/// </summary>
internal static class BusDaemon
{
    private const string Name = "org.freedesktop.DBus";
    private const string Path = "/org/freedesktop/DBus";

    /// <summary>GetConnectionUnixUser(<paramref name="busName"/>): the uid the bus saw when it connected; the reply is <c>u</c>.</summary>
    public static MessageBuffer GetConnectionUnixUser(DBusConnection connection, string busName) => Call(connection, "GetConnectionUnixUser", busName);

    /// <summary>GetNameOwner(<paramref name="name"/>): fails with NameHasNoOwner when nobody owns it.</summary>
    public static MessageBuffer GetNameOwner(DBusConnection connection, string name) => Call(connection, "GetNameOwner", name);

    private static MessageBuffer Call(DBusConnection connection, string member, string argument)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Name, Path, Name, member, "s");
        writer.WriteString(argument);
        return writer.CreateMessage();
    }
}
