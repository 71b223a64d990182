using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Concierge.DBus.Protocol;

namespace Concierge.DBus;

/// <summary>Signals: emitting them, and watching them through match rules.</summary>
public sealed partial class DBusConnection
{
    private readonly Lock _subscriptionLock = new();
    private readonly List<SignalSubscription> _subscriptions = [];
    private readonly List<ChannelWriter<Message>> _signalChannels = [];

    /// <summary>Emits a signal (broadcast, or unicast when <paramref name="destination"/> is set).</summary>
    public void SendSignal(string path, string @interface, string member, string signature = "", MessageWriter? body = null, string? destination = null)
    {
        Send(new MessageHeader
        {
            Type = MessageType.Signal,
            Serial = NextSerial(),
            Path = new ObjectPath(path).Value,
            Interface = @interface,
            Member = member,
            Signature = signature,
            Destination = destination,
        }, body);
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to signals matching <paramref name="rule"/>. The handler runs
    /// on the dispatch loop, in arrival order; fds in the signal must be taken inside the handler.
    /// </summary>
    public async Task<SignalSubscription> WatchSignalAsync(MatchRule rule, Action<Message> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new SignalSubscription(this, rule, handler);
        lock (_subscriptionLock)
        {
            _subscriptions.Add(subscription);
        }
        try
        {
            await AddMatchAsync(rule.ToString(), cancellationToken);
        }
        catch
        {
            lock (_subscriptionLock)
            {
                _subscriptions.Remove(subscription);
            }
            throw;
        }
        return subscription;
    }

    /// <summary>
    /// Yields signals matching <paramref name="rule"/> until cancelled or the connection closes.
    /// The body stays readable, but fds a signal carried are already closed when it is yielded:
    /// use <see cref="WatchSignalAsync"/> to take them inside the callback.
    /// </summary>
    public async IAsyncEnumerable<Message> WatchSignalsAsync(MatchRule rule, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (_subscriptionLock)
        {
            _signalChannels.Add(channel.Writer);
        }
        var subscription = await WatchSignalAsync(rule, message => channel.Writer.TryWrite(message), cancellationToken);
        try
        {
            if (Disconnected.IsCompleted)
            {
                yield break;
            }
            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                while (channel.Reader.TryRead(out var message))
                {
                    yield return message;
                }
            }
        }
        finally
        {
            lock (_subscriptionLock)
            {
                _signalChannels.Remove(channel.Writer);
            }
            await subscription.DisposeAsync();
        }
    }

    internal async Task RemoveSubscriptionAsync(SignalSubscription subscription)
    {
        lock (_subscriptionLock)
        {
            _subscriptions.Remove(subscription);
        }
        if (!Disconnected.IsCompleted)
        {
            try
            {
                await RemoveMatchAsync(subscription.Rule.ToString());
            }
            catch (DBusConnectionClosedException)
            {
                // The bus forgets our matches with the connection.
            }
        }
    }

    private bool DeliverSignal(Message message)
    {
        SignalSubscription[] subscriptions;
        lock (_subscriptionLock)
        {
            subscriptions = [.. _subscriptions];
        }
        foreach (var subscription in subscriptions)
        {
            if (!subscription.Rule.Matches(message))
            {
                continue;
            }
            try
            {
                subscription.Handler(message);
            }
            catch (Exception ex)
            {
                ReportHandlerFailure(ex);
            }
        }
        return false;
    }

    private void CompleteSignalWatchers()
    {
        lock (_subscriptionLock)
        {
            foreach (var writer in _signalChannels)
            {
                writer.TryComplete();
            }
        }
    }
}
