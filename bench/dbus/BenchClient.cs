using System.Diagnostics;
using System.Globalization;
using Tmds.DBus.Protocol;

namespace Concierge.Bench.DBus;

/// <summary>One method to call; with <paramref name="Argument"/> it is <c>s -> s</c> and must echo it.</summary>
internal sealed record BenchCall(string Destination, string Path, string Interface, string Member, string? Argument);

/// <summary>Times sequential method calls (one outstanding at a time) through Tmds.DBus.Protocol, like the sd-bus side.</summary>
internal static class BenchClient
{
    public static async Task<int> RunAsync(string address, BenchCall call, int count, string label)
    {
        using var connection = new DBusConnection(address);
        await connection.ConnectAsync();
        // Warm up: let the JIT tier up the call path and the daemon route the first calls.
        for (var i = 0; i < (count / 10) + 1000; i++)
        {
            await CallAsync(connection, call);
        }
        var samples = new long[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await CallAsync(connection, call);
            samples[i] = Stopwatch.GetTimestamp() - started;
        }
        total.Stop();
        Array.Sort(samples);
        var toMicroseconds = 1_000_000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} calls={count} per_second={count / total.Elapsed.TotalSeconds:F0} p50_us={samples[count / 2] * toMicroseconds:F1} p99_us={samples[count * 99 / 100] * toMicroseconds:F1}"));
        return 0;
    }

    private static async Task CallAsync(DBusConnection connection, BenchCall call)
    {
        if (call.Argument is null)
        {
            await connection.CallMethodAsync(CreateMessage(connection, call));
            return;
        }
        var echoed = await connection.CallMethodAsync(CreateMessage(connection, call), static (message, _) => message.GetBodyReader().ReadString());
        if (echoed != call.Argument)
        {
            throw new InvalidOperationException($"{call.Member} returned \"{echoed}\", not \"{call.Argument}\"");
        }
    }

    private static MessageBuffer CreateMessage(DBusConnection connection, BenchCall call)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(call.Destination, call.Path, call.Interface, call.Member, call.Argument is null ? null : "s");
        if (call.Argument is not null)
        {
            writer.WriteString(call.Argument);
        }
        return writer.CreateMessage();
    }
}
