using System.Diagnostics;
using System.Globalization;
using Concierge.DBus;

namespace Concierge.Bench.DBus;

/// <summary>Times sequential method calls (one outstanding at a time), like the sd-bus side.</summary>
internal static class BenchClient
{
    public static async Task<int> RunAsync(string address, string destination, string path, string @interface, string member, int count, string label)
    {
        await using var connection = await DBusConnection.ConnectAsync(address);
        var call = new MethodCall { Destination = destination, Path = path, Interface = @interface, Member = member };
        // Warm up: let the JIT tier up the call path and the daemon route the first calls.
        for (var i = 0; i < (count / 10) + 1000; i++)
        {
            using var reply = await connection.CallMethodAsync(call);
        }
        var samples = new long[count];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var reply = await connection.CallMethodAsync(call);
            samples[i] = Stopwatch.GetTimestamp() - started;
        }
        total.Stop();
        Array.Sort(samples);
        var toMicroseconds = 1_000_000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} calls={count} per_second={count / total.Elapsed.TotalSeconds:F0} p50_us={samples[count / 2] * toMicroseconds:F1} p99_us={samples[count * 99 / 100] * toMicroseconds:F1}"));
        return 0;
    }
}
