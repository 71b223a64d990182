using Concierge.DBus;

namespace Concierge.Bench.DBus;

/// <summary>Owns a name on the bus so both clients can Ping an object served by Concierge.DBus.</summary>
internal static class BenchServer
{
    public static async Task<int> RunAsync(string address, string name)
    {
        await using var connection = await DBusConnection.ConnectAsync(address);
        var reply = await connection.RequestNameAsync(name, RequestNameFlags.DoNotQueue);
        if (reply != RequestNameReply.PrimaryOwner)
        {
            await Console.Error.WriteLineAsync($"could not own {name}: {reply}");
            return 1;
        }
        Console.WriteLine("ready");
        // Serve until the script closes our stdin.
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
