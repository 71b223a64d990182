using Tmds.DBus.Protocol;

namespace Concierge.Bench.DBus;

/// <summary>
/// Owns a name on the bus and serves, through <see cref="IPathMethodHandler"/> as the service will,
/// <c>org.concierge.Bench.Echo(s) -> s</c> on <see cref="ObjectPath"/>. Tmds.DBus.Protocol answers
/// <c>Peer.Ping</c> itself, before any handler.
/// </summary>
internal static class BenchServer
{
    public const string ObjectPath = "/org/concierge/Bench";

    public static async Task<int> RunAsync(string address, string name)
    {
        using var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        connection.AddMethodHandler(new EchoHandler());
        if (!await connection.TryRequestNameAsync(name))
        {
            await Console.Error.WriteLineAsync($"could not own {name}");
            return 1;
        }
        Console.WriteLine("ready");
        // Serve until the script closes our stdin. Tmds.DBus.Protocol resumes awaits on its read loop
        // (the name request above included) and Console.In blocks, so wait on a pool thread, not here.
        await Task.Run(Console.In.ReadToEnd);
        return 0;
    }

    private sealed class EchoHandler : IPathMethodHandler
    {
        public string Path => ObjectPath;

        public bool HandlesChildPaths => false;

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            var request = context.Request;
            if (request.Interface.SequenceEqual("org.concierge.Bench"u8) && request.Member.SequenceEqual("Echo"u8) && request.Signature.SequenceEqual("s"u8))
            {
                var text = request.GetBodyReader().ReadString();
                using var writer = context.CreateReplyWriter("s");
                writer.WriteString(text);
                context.Reply(writer.CreateMessage());
            }
            else
            {
                context.ReplyUnknownMethodError();
            }
            return ValueTask.CompletedTask;
        }
    }
}
