using System.Collections.Concurrent;
using Concierge.Service.Api;
using Concierge.Service.Errors;
using Serilog;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus.Objects;

/// <summary>
/// Every connection on the bus and the uid behind it, as the bus vouches for it
/// (GetConnectionUnixUser, which a caller cannot forge). It answers two questions: who is calling
/// (<see cref="ResolveAsync"/>), and which connections may hear about a user's VM
/// (<see cref="AudienceOf"/>: that user's and root's). It learns connections from the bus's
/// NameOwnerChanged and forgets them when they leave, so it holds at most what the bus holds.
/// </summary>
public sealed class BusPeers : IDisposable
{
    private const string Bus = "org.freedesktop.DBus";
    private const string BusPath = "/org/freedesktop/DBus";

    // The bus bounds its connections (a system bus: a few thousand); this bounds us should it not.
    private const int MaxPeers = 65536;

    private readonly DBusConnection _connection;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, uint> _uids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _arriving = new(StringComparer.Ordinal);
    private IDisposable? _watch;

    private BusPeers(DBusConnection connection, ILogger log)
    {
        _connection = connection;
        _log = log;
    }

    /// <summary>Follows the connections on <paramref name="connection"/>'s bus from now on, starting with those already there.</summary>
    public static async Task<BusPeers> StartAsync(DBusConnection connection, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var peers = new BusPeers(connection, log.ForContext<BusPeers>());
        peers._watch = await connection.WatchSignalAsync(Bus, BusPath, Bus, "NameOwnerChanged",
            static (message, _) =>
            {
                var reader = message.GetBodyReader();
                return (Name: reader.ReadString(), Old: reader.ReadString(), New: reader.ReadString());
            },
            (Notification<(string Name, string Old, string New)> notification) => peers.OnNameOwnerChanged(notification),
            ObserverFlags.None, emitOnCapturedContext: false, state: null).ConfigureAwait(false);
        var names = await connection.CallMethodAsync(peers.BusCall("ListNames", null, null),
            static (message, _) => message.GetBodyReader().ReadArrayOfString(), null).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        foreach (var name in names.Where(IsUniqueName))
        {
            peers.Arrived(name);
        }
        return peers;
    }

    /// <summary>Stops following the bus.</summary>
    public void Dispose() => _watch?.Dispose();

    /// <summary>The caller behind <paramref name="sender"/> (a unique name, stamped by the bus).</summary>
    /// <exception cref="CallerAccessDeniedException">The call carries no sender, or the bus does not know it.</exception>
    public async Task<Caller> ResolveAsync(string? sender)
    {
        if (string.IsNullOrEmpty(sender))
        {
            throw new CallerAccessDeniedException("the call carries no sender, so its user is unknown");
        }
        if (_uids.TryGetValue(sender, out var known))
        {
            return new Caller(known);
        }
        var uid = await UidOfAsync(sender).ConfigureAwait(false)
            ?? throw new CallerAccessDeniedException($"the bus does not know the user of {sender}");
        Remember(sender, uid);
        return new Caller(uid);
    }

    /// <summary>The connections that may hear about a VM of <paramref name="owner"/>: the owner's and root's, not our own.</summary>
    public IReadOnlyList<string> AudienceOf(uint owner) =>
        [.. _uids.Where(p => (p.Value == owner || p.Value == 0) && p.Key != _connection.UniqueName).Select(p => p.Key)];

    private void OnNameOwnerChanged(Notification<(string Name, string Old, string New)> notification)
    {
        if (!notification.HasValue)
        {
            // The watch ended (our connection closed): the service stops with it.
            _log.Debug("No more NameOwnerChanged: {Reason}", notification.Type);
            return;
        }
        var (name, oldOwner, newOwner) = notification.Value;
        if (!IsUniqueName(name))
        {
            return;
        }
        if (oldOwner.Length == 0 && newOwner.Length > 0)
        {
            Arrived(name);
        }
        else if (newOwner.Length == 0)
        {
            _arriving.TryRemove(name, out _);
            _uids.TryRemove(name, out _);
        }
    }

    // Asks the bus for the uid of a new connection off the receive loop; if the connection left
    // before the answer came, the answer is dropped.
    private void Arrived(string name)
    {
        _arriving[name] = 0;
        _ = Task.Run(async () =>
        {
            var uid = await UidOfAsync(name).ConfigureAwait(false);
            if (_arriving.TryRemove(name, out _) && uid is { } known)
            {
                Remember(name, known);
            }
        });
    }

    private void Remember(string name, uint uid)
    {
        if (_uids.Count >= MaxPeers && !_uids.ContainsKey(name))
        {
            _log.Warning("More than {MaxPeers} connections on the bus; forgetting them all and learning again", MaxPeers);
            _uids.Clear();
        }
        _uids[name] = uid;
    }

    private async Task<uint?> UidOfAsync(string name)
    {
        try
        {
            // The library completes a reply on its receive loop, and what follows an await of it
            // would run there too: a caller's whole request would hold up every other message.
            return await _connection.CallMethodAsync(BusCall("GetConnectionUnixUser", "s", name),
                static (message, _) => message.GetBodyReader().ReadUInt32(), null).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        catch (DBusErrorReplyException e)
        {
            _log.Debug("No uid for {Name}: {Error}", name, e.Message);
            return null;
        }
    }

    private MessageBuffer BusCall(string member, string? signature, string? argument)
    {
        using var writer = _connection.GetMessageWriter();
        writer.WriteMethodCallHeader(Bus, BusPath, Bus, member, signature, MessageFlags.None);
        if (argument is not null)
        {
            writer.WriteString(argument);
        }
        return writer.CreateMessage();
    }

    private static bool IsUniqueName(string name) => name.StartsWith(':');
}
