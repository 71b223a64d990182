using Concierge.DBus.Protocol;

namespace Concierge.DBus;

/// <summary>Calls to the bus itself (<c>org.freedesktop.DBus</c>): names, matches, caller identity.</summary>
public sealed partial class DBusConnection
{
    /// <summary>The bus daemon's name.</summary>
    public const string BusName = "org.freedesktop.DBus";

    /// <summary>The bus daemon's object path.</summary>
    public const string BusPath = "/org/freedesktop/DBus";

    /// <summary>Asks for ownership of <paramref name="name"/>.</summary>
    public async Task<RequestNameReply> RequestNameAsync(string name, RequestNameFlags flags = RequestNameFlags.None, CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("RequestName", "su", w =>
        {
            w.WriteString(name);
            w.WriteUInt32((uint)flags);
        }, cancellationToken);
        return (RequestNameReply)reply.GetBodyReader().ReadUInt32();
    }

    /// <summary>Gives up <paramref name="name"/>.</summary>
    public async Task<ReleaseNameReply> ReleaseNameAsync(string name, CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("ReleaseName", "s", w => w.WriteString(name), cancellationToken);
        return (ReleaseNameReply)reply.GetBodyReader().ReadUInt32();
    }

    /// <summary>The unique name owning <paramref name="name"/>.</summary>
    /// <exception cref="DBusException"><see cref="DBusErrorNames.NameHasNoOwner"/> when nobody owns it.</exception>
    public async Task<string> GetNameOwnerAsync(string name, CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("GetNameOwner", "s", w => w.WriteString(name), cancellationToken);
        return reply.GetBodyReader().ReadString();
    }

    /// <summary>The uid of the process that owns bus name <paramref name="sender"/> (as the bus saw it at connect).</summary>
    public async Task<uint> GetConnectionUnixUserAsync(string sender, CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("GetConnectionUnixUser", "s", w => w.WriteString(sender), cancellationToken);
        return reply.GetBodyReader().ReadUInt32();
    }

    /// <summary>The pid of the process that owns bus name <paramref name="sender"/>.</summary>
    public async Task<uint> GetConnectionUnixProcessIdAsync(string sender, CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("GetConnectionUnixProcessID", "s", w => w.WriteString(sender), cancellationToken);
        return reply.GetBodyReader().ReadUInt32();
    }

    /// <summary>All credentials the bus knows for <paramref name="sender"/> (UnixUserID, UnixGroupIDs, ProcessID, ...).</summary>
    public async Task<Dictionary<string, Variant>> GetConnectionCredentialsAsync(string sender, CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("GetConnectionCredentials", "s", w => w.WriteString(sender), cancellationToken);
        return reply.GetBodyReader().ReadPropertyMap();
    }

    /// <summary>The bus's own id (<c>GetId</c>).</summary>
    public async Task<string> GetBusIdAsync(CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("GetId", string.Empty, null, cancellationToken);
        return reply.GetBodyReader().ReadString();
    }

    /// <summary>Adds a raw match rule on the bus (no local delivery; see <see cref="WatchSignalAsync"/>).</summary>
    public async Task AddMatchAsync(string rule, CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("AddMatch", "s", w => w.WriteString(rule), cancellationToken);
    }

    /// <summary>Removes a raw match rule from the bus.</summary>
    public async Task RemoveMatchAsync(string rule, CancellationToken cancellationToken = default)
    {
        using var reply = await CallBusAsync("RemoveMatch", "s", w => w.WriteString(rule), cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="handler"/>(name, oldOwner, newOwner) on each NameOwnerChanged for
    /// <paramref name="name"/> (or every name when null); empty owners become null.
    /// </summary>
    public Task<SignalSubscription> WatchNameOwnerChangedAsync(string? name, Action<string, string?, string?> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var rule = new MatchRule { Sender = BusName, Path = BusPath, Interface = BusName, Member = "NameOwnerChanged", Arg0 = name };
        return WatchSignalAsync(rule, message =>
        {
            var reader = message.GetBodyReader();
            var changed = reader.ReadString();
            var oldOwner = reader.ReadString();
            var newOwner = reader.ReadString();
            handler(changed, oldOwner.Length == 0 ? null : oldOwner, newOwner.Length == 0 ? null : newOwner);
        }, cancellationToken);
    }

    internal Task<Message> CallBusAsync(string member, string signature, Action<MessageWriter>? writeBody, CancellationToken cancellationToken)
    {
        MessageWriter? body = null;
        if (writeBody is not null)
        {
            body = new MessageWriter();
            writeBody(body);
        }
        return CallMethodAsync(new MethodCall { Destination = BusName, Path = BusPath, Interface = BusName, Member = member, Signature = signature, Body = body }, cancellationToken);
    }
}
