using System.Diagnostics;
using Tmds.DBus.Protocol;

namespace Concierge.Bench.Service;

/// <summary>
/// ListVms/GetVmInfo on both faces, timed against the service and against the replaying peer
/// (started for this run; it records the service's replies of this moment), alternating call by call.
/// </summary>
internal static class LatencyRun
{
    public sealed record Row(string Call, string Reply, Latency Service, Latency Peer);

    /// <summary>Times the latency shapes of user <paramref name="uid"/> (the bench's own).</summary>
    public static async Task<List<Row>> MeasureAsync(DBusConnection connection, string address, uint uid, int calls)
    {
        using var peer = StartPeer(address, uid);
        try
        {
            var rows = new List<Row>();
            foreach (var shape in ServiceRun.LatencyShapes(uid))
            {
                // Read once more, as the peer recorded it, for the reply's size in the report.
                var reply = await shape.CallAsync(connection, Bus.ServiceName, shape.Record);
                var (service, replayed) = await Latency.MeasurePairAsync(
                    () => shape.CallAsync(connection, Bus.ServiceName), () => shape.CallAsync(connection, Bus.PeerName), calls);
                rows.Add(new Row(shape.Label, reply.Size, service, replayed));
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

    private static Process StartPeer(string address, uint uid)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            ArgumentList = { "peer", address, uid.ToString(System.Globalization.CultureInfo.InvariantCulture) },
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
