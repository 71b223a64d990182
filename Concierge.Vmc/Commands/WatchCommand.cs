using Concierge.Contracts;
using System.Globalization;
using System.Threading.Channels;
using Concierge.Client;
using Concierge.Vmc.Output;
using Tmds.DBus.Protocol;

namespace Concierge.Vmc.Commands;

/// <summary>
/// vmc watch: one line per lifecycle signal and per state or health change, until Ctrl-C (exit 130)
/// or the bus goes away (exit 3). Heartbeat timestamps change every few seconds and are left out:
/// they are not events. Signal handlers only queue lines; this task writes them, in order.
/// </summary>
internal static class WatchCommand
{
    /// <summary>Properties worth a line; the rest (LastHeartbeatUsec, ...) would drown them.</summary>
    private static readonly HashSet<string> Interesting = new(StringComparer.Ordinal) { "State", "Health", "StopReason", "FailureReason", "Cid" };

    /// <summary>The bus's NameOwnerChanged for the service's name: the service started or stopped.</summary>
    private static readonly MatchRule ServiceOwnerChanged = new()
    {
        Type = MessageType.Signal,
        Sender = "org.freedesktop.DBus",
        Path = "/org/freedesktop/DBus",
        Interface = "org.freedesktop.DBus",
        Member = "NameOwnerChanged",
        Arg0 = ConciergeBus.ServiceName,
    };

    public static async Task<int> RunAsync(VmcSession session, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        using var lifecycle = await client.ChromeOs.WatchLifecycleAsync(e => lines.Writer.TryWrite(Lifecycle(session, e)), cancellationToken);
        using var properties = await client.Manager.WatchPropertiesAsync(change =>
        {
            if (Properties(session, change) is { } line)
            {
                lines.Writer.TryWrite(line);
            }
        }, cancellationToken);
        using var owner = await client.Connection.AddMatchAsync(ServiceOwnerChanged, static (message, _) => HasNewOwner(message),
            notification => lines.Writer.TryWrite(Service(session, notification.Value)), emitOnCapturedContext: false);
        if (!session.Json)
        {
            // Printed once every subscription is in place: nothing after this line is missed.
            await session.Console.Error.WriteLineAsync("Watching VM events; Ctrl-C stops.");
        }
        _ = client.Connection.DisconnectedAsync().ContinueWith(_ => lines.Writer.TryComplete(), TaskScheduler.Default);
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken))
            {
                await session.Console.Out.WriteLineAsync(line);
                await session.Console.Out.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        await session.Console.Error.WriteLineAsync("vmc: the bus connection was lost; check that dbus runs, then watch again");
        return ExitCodes.ServiceUnavailable;
    }

    private static string Lifecycle(VmcSession session, VmLifecycleEvent e)
    {
        var now = session.Now;
        if (session.Json)
        {
            return JsonViews.Line(JsonViews.Lifecycle(e, now));
        }
        var detail = e.Kind switch
        {
            VmLifecycleEventKind.Stopped => $" ({e.StopReason}{(e.FailureReason is { } why ? ": " + why : string.Empty)})",
            _ when e.Cid > 0 => string.Create(CultureInfo.InvariantCulture, $" (cid {e.Cid})"),
            _ => string.Empty,
        };
        return $"{Clock(now)}  {e.Name}  {JsonViews.LifecycleWord(e.Kind)}{detail}";
    }

    /// <summary>NameOwnerChanged(name, old owner, new owner): whether someone owns the name now.</summary>
    private static bool HasNewOwner(Message message)
    {
        var reader = message.GetBodyReader();
        reader.ReadString();
        reader.ReadString();
        return reader.ReadString().Length > 0;
    }

    private static string? Properties(VmcSession session, VmPropertiesChange change)
    {
        var shown = change.Changed.Where(pair => Interesting.Contains(pair.Key)).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        if (shown.Count == 0)
        {
            return null;
        }
        var now = session.Now;
        if (session.Json)
        {
            return JsonViews.Line(JsonViews.Properties(change.Name, shown, now));
        }
        var text = string.Join(", ", shown.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => $"{pair.Key.ToLowerInvariant()} {Convert.ToString(pair.Value, CultureInfo.InvariantCulture)}"));
        return $"{Clock(now)}  {change.Name}  {text}";
    }

    private static string Service(VmcSession session, bool running)
    {
        var now = session.Now;
        return session.Json
            ? JsonViews.Line(new System.Text.Json.Nodes.JsonObject { ["time"] = now.UtcDateTime.ToString("o", CultureInfo.InvariantCulture), ["type"] = "service", ["running"] = running })
            : $"{Clock(now)}  (service)  {(running ? "started" : "stopped")}";
    }

    private static string Clock(DateTimeOffset at) => at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
