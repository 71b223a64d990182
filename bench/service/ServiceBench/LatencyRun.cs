using System.Diagnostics;
using Concierge.DBus;

namespace Concierge.Bench.Service;

/// <summary>
/// ListVms/GetVmInfo on both faces, timed against the service and against the replaying peer
/// (started for this run with the service's replies of this moment), alternating call by call.
/// </summary>
internal static class LatencyRun
{
    public sealed record Row(string Call, int ReplyBytes, Latency Service, Latency Peer);

    public static async Task<List<Row>> MeasureAsync(DBusConnection connection, string address, IReadOnlyList<CallShape> shapes, int calls, string workDirectory)
    {
        var recordings = new List<ReplayPeer.Recording>();
        foreach (var shape in shapes)
        {
            recordings.Add(await ReplayPeer.RecordAsync(connection, shape));
        }
        var file = Path.Combine(workDirectory, $"peer-{Guid.NewGuid():N}.tsv");
        await File.WriteAllLinesAsync(file, recordings.Select(r => r.ToLine()));
        using var peer = StartPeer(address, file);
        try
        {
            var rows = new List<Row>();
            for (var i = 0; i < shapes.Count; i++)
            {
                var shape = shapes[i];
                var (service, replayed) = await Latency.MeasurePairAsync(
                    () => Drain(shape.CallAsync(connection, Bus.ServiceName)), () => Drain(shape.CallAsync(connection, Bus.PeerName)), calls);
                rows.Add(new Row(shape.Label, recordings[i].Body.Length, service, replayed));
                Console.Error.WriteLine($"bench:   {shape.Label}: service p50 {service.P50} µs, peer p50 {replayed.P50} µs");
            }
            return rows;
        }
        finally
        {
            peer.StandardInput.Close();
            await peer.WaitForExitAsync();
        }
    }

    private static async Task Drain(Task<Concierge.DBus.Protocol.Message> reply) => (await reply).Dispose();

    private static Process StartPeer(string address, string file)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            ArgumentList = { "peer", address, file },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var peer = Process.Start(start) ?? throw new InvalidOperationException("the peer did not start");
        if (peer.StandardOutput.ReadLine() != "ready")
        {
            throw new InvalidOperationException("the peer did not get ready");
        }
        return peer;
    }
}
