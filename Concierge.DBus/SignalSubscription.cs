using Concierge.DBus.Protocol;

namespace Concierge.DBus;

/// <summary>One local signal subscription; disposing it removes the match from the bus.</summary>
public sealed class SignalSubscription : IAsyncDisposable
{
    private readonly DBusConnection _connection;
    private int _disposed;

    internal SignalSubscription(DBusConnection connection, MatchRule rule, Action<Message> handler)
    {
        _connection = connection;
        Rule = rule;
        Handler = handler;
    }

    /// <summary>The rule this subscription matches.</summary>
    public MatchRule Rule { get; }

    internal Action<Message> Handler { get; }

    /// <summary>Stops delivery and sends RemoveMatch (ignored if the connection is gone).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _connection.RemoveSubscriptionAsync(this);
        }
    }
}
