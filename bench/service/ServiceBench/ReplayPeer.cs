using Tmds.DBus.Protocol;

namespace Concierge.Bench.Service;

/// <summary>
/// The trivial peer: a separate process on the same bus, built on the same D-Bus library, that
/// answers the same calls at the same paths with the replies the service gave, doing no work of its
/// own. Service latency minus peer latency is the service's own cost.
/// </summary>
internal static class ReplayPeer
{
    /// <summary>The recorded reply to one call shape.</summary>
    public sealed record Recording(string Path, string Interface, string Member, RecordedReply Reply);

    /// <summary>Records the reply of <paramref name="shape"/> from the service.</summary>
    public static async Task<Recording> RecordAsync(DBusConnection connection, CallShape shape) =>
        new(shape.Path, shape.Interface, shape.Member, await shape.CallAsync(connection, Bus.ServiceName, shape.Record));

    /// <summary>
    /// Peer mode: records the service's replies to the latency shapes of user <paramref name="uid"/>
    /// (it runs as the bench's user, so it sees what the bench sees), then serves them until stdin closes.
    /// </summary>
    public static async Task<int> ServeAsync(string address, uint uid)
    {
        using var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        var recordings = new List<Recording>();
        foreach (var shape in ServiceRun.LatencyShapes(uid))
        {
            recordings.Add(await RecordAsync(connection, shape));
        }
        connection.AddMethodHandlers([.. recordings.GroupBy(r => r.Path).Select(g => (IPathMethodHandler)new ReplayHandler(g.Key, [.. g]))]);
        if (!await connection.TryRequestNameAsync(Bus.PeerName, RequestNameOptions.None))
        {
            await Console.Error.WriteLineAsync($"could not own {Bus.PeerName}");
            return 1;
        }
        Console.WriteLine("ready");
        // Tmds completes calls on its receive loop, where this method may still run: waiting for
        // stdin there would stop the peer answering, so the wait runs on the thread pool.
        await Task.Run(() => Console.In.ReadToEnd());
        return 0;
    }

    /// <summary>The recorded calls at one object path.</summary>
    private sealed class ReplayHandler(string path, List<Recording> recordings) : IPathMethodHandler
    {
        public string Path => path;

        public bool HandlesChildPaths => false;

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            var request = context.Request;
            if (recordings.Find(r => r.Interface == request.InterfaceAsString && r.Member == request.MemberAsString) is { } recording)
            {
                recording.Reply.Send(context);
            }
            else
            {
                context.ReplyUnknownMethodError();
            }
            return ValueTask.CompletedTask;
        }
    }
}
