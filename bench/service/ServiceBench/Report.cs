using System.Globalization;
using System.Text;

namespace Concierge.Bench.Service;

/// <summary>What one run measured, written as the markdown body of results.md.</summary>
internal sealed class Report
{
    public List<BootSample> Boots { get; } = [];

    public List<(string Label, int Running, MemoryUse Use)> Memory { get; } = [];

    public List<(int Registered, List<LatencyRun.Row> Rows)> Latency { get; } = [];

    public List<double> FillerStarts { get; } = [];

    public List<double> FillerStops { get; } = [];

    public ulong MemoryMiB { get; set; }

    public (TimeSpan Took, int ExitCode)? Shutdown { get; set; }

    public string? Failure { get; set; }

    /// <summary>Writes what was measured so far (a run the sandbox kills still leaves its earlier stages).</summary>
    public Task SaveAsync(string path) => File.WriteAllTextAsync(path, Markdown());

    public string Markdown()
    {
        var md = new StringBuilder();
        if (Failure is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"**The run failed: {Failure}** (what was measured before is below)").AppendLine();
        }
        WriteBoots(md);
        WriteLatency(md);
        WriteMemory(md);
        if (Shutdown is { } shutdown)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"SIGTERM with {Boots.Count} running VMs: the service exited with {shutdown.ExitCode} after {shutdown.Took.TotalSeconds:F1} s.").AppendLine();
        }
        return md.ToString();
    }

    private void WriteBoots(StringBuilder md)
    {
        if (Boots.Count == 0)
        {
            return;
        }
        md.AppendLine("## StartVm → hello, by phase (ms)").AppendLine();
        Table(md, Boots.Select(b => b.Name), Boots[0].Phases().Select((p, i) => (p.Phase, Boots.Select(b => b.Phases()[i].Ms))));
        md.AppendLine("Finer marks (ms):").AppendLine();
        Table(md, Boots.Select(b => b.Name), Boots[0].Details().Select((p, i) => (p.Phase, Boots.Select(b => b.Details()[i].Ms))));
        if (FillerStarts.Count > 0)
        {
            var starts = Service.Latency.FromSamples(FillerStarts);
            var stops = Service.Latency.FromSamples(FillerStops);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"StartVm D-Bus call of a new VM over {starts.Calls} filler starts: p50 {starts.P50} µs, p95 {starts.P95} µs; "
                + $"StopVm of it right after (waits until the monitor is down): p50 {stops.P50} µs, p95 {stops.P95} µs.").AppendLine();
        }
    }

    private void WriteLatency(StringBuilder md)
    {
        foreach (var (registered, rows) in Latency)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Call latency with {registered} registered VM{(registered == 1 ? "" : "s")} (µs, sequential calls)").AppendLine();
            md.AppendLine("| call | reply body | service p50 | service p95 | replaying peer p50 | peer p95 | service − peer p50 |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var row in rows)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Call} | {row.Reply} | {row.Service.P50} | {row.Service.P95} | {row.Peer.P50} | {row.Peer.P95} | {row.Service.P50Us - row.Peer.P50Us:F0} |");
            }
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"({rows[0].Service.Calls} timed calls per cell after a warm-up.)").AppendLine();
        }
    }

    private void WriteMemory(StringBuilder md)
    {
        if (Memory.Count == 0)
        {
            return;
        }
        md.AppendLine(CultureInfo.InvariantCulture, $"## Service memory (KiB; guest RAM = resident pages of the anonymous mappings of at least {MemoryMiB} MiB, the guests' RAM)").AppendLine();
        md.AppendLine("| state | running VMs | service RSS | guest RAM resident | RSS − guest RAM | growth of (RSS − guest RAM) vs previous row |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        MemoryUse? previous = null;
        foreach (var (label, running, use) in Memory)
        {
            var growth = previous is null ? "" : (use.OwnKiB - previous.OwnKiB).ToString(CultureInfo.InvariantCulture);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {running} | {use.TotalKiB} | {use.GuestKiB} | {use.OwnKiB} | {growth} |");
            previous = use;
        }
        md.AppendLine();
    }

    private static void Table(StringBuilder md, IEnumerable<string> columns, IEnumerable<(string Label, IEnumerable<double?> Values)> rows)
    {
        var names = columns.ToList();
        md.AppendLine($"| phase | {string.Join(" | ", names)} | median |");
        md.AppendLine($"|---|{string.Concat(names.Select(_ => "---:|"))}---:|");
        foreach (var (label, values) in rows)
        {
            var list = values.ToList();
            var known = list.OfType<double>().Order().ToList();
            var median = known.Count == 0 ? "n/a" : Format(known[known.Count / 2]);
            md.AppendLine($"| {label} | {string.Join(" | ", list.Select(v => v is { } x ? Format(x) : "n/a"))} | {median} |");
        }
        md.AppendLine();
    }

    private static string Format(double ms) => ms.ToString("F1", CultureInfo.InvariantCulture);
}
