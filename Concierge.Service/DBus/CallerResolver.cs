using System.Collections.Concurrent;
using Concierge.DBus.Server;
using Concierge.DBus;
using Concierge.Service.Api;
using Concierge.Service.Errors;

namespace Concierge.Service.DBus;

/// <summary>
/// Finds the uid behind a call from the bus (GetConnectionUnixUser of the sender, which the bus
/// stamps and the caller cannot forge). Unique names are never reused, so answers are cached per
/// name; the cache is bounded by dropping it whole when it grows large.
/// </summary>
internal sealed class CallerResolver
{
    private const int MaxCached = 4096;
    private readonly ConcurrentDictionary<string, uint> _uids = new(StringComparer.Ordinal);

    public async Task<Caller> ResolveAsync(MethodContext context)
    {
        var sender = context.Sender
            ?? throw new CallerAccessDeniedException("the call carries no sender, so its user is unknown");
        if (_uids.TryGetValue(sender, out var cached))
        {
            return new Caller(cached);
        }
        uint uid;
        try
        {
            uid = await context.Connection.GetConnectionUnixUserAsync(sender).ConfigureAwait(false);
        }
        catch (DBusException e) when (e is not DBusConnectionClosedException)
        {
            throw new CallerAccessDeniedException($"the bus does not know the user of {sender}: {e.Message}");
        }
        if (_uids.Count >= MaxCached)
        {
            _uids.Clear();
        }
        _uids[sender] = uid;
        return new Caller(uid);
    }
}
