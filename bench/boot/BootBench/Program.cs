using System.Globalization;
using Concierge.Bench.Boot;

// Prints a Markdown report of boot-to-init times (our monitor vs QEMU) and per-VM memory overhead.
var options = BenchOptions.Parse(args);
var culture = CultureInfo.InvariantCulture;
string Seconds(TimeSpan? time) => time is { } t ? t.TotalSeconds.ToString("0.00", culture) : "—";
TimeSpan? Median(IEnumerable<TimeSpan?> times)
{
    var sorted = times.Where(t => t.HasValue).Select(t => t!.Value).Order().ToArray();
    return sorted.Length == 0 ? null : sorted[sorted.Length / 2];
}

var contenders = new List<(string Name, Func<Task<BootSample>> Boot)>
{
    ("Concierge monitor", () => MonitorBoot.RunAsync(options)),
    ("QEMU -M pc", () => QemuBoot.RunAsync(options, "pc")),
};
if (options.Microvm)
{
    contenders.Add(("QEMU -M microvm", () => QemuBoot.RunAsync(options, "microvm")));
}

Console.WriteLine($"Boot: {options.Vcpus} vCPU(s), {options.MemoryMiB} MiB, {options.Runs} runs each after one discarded warm-up run, contenders interleaved run by run (so load changes hit all alike); cmdline `{options.CommandLine}`.");
Console.WriteLine();
Console.WriteLine("| VMM | runs: start → /init (s) | median → /init (s) | median → VM exit after `poweroff -f` (s) |");
Console.WriteLine("|---|---|---|---|");
var samples = contenders.ToDictionary(c => c.Name, _ => new List<BootSample>());
for (var run = 0; run <= options.Runs; run++)
{
    foreach (var (name, boot) in contenders)
    {
        var sample = await boot();
        Console.Error.WriteLine($"bench: {name} run {run} (0 = warm-up): init {Seconds(sample.ToInit)} exit {Seconds(sample.ToExit)} ({sample.Note})");
        if (run > 0)
        {
            samples[name].Add(sample);
        }
    }
}
var medians = new Dictionary<string, TimeSpan?>();
foreach (var (name, list) in samples)
{
    medians[name] = Median(list.Select(s => s.ToInit));
    Console.WriteLine($"| {name} | {string.Join(", ", list.Select(s => Seconds(s.ToInit)))} | {Seconds(medians[name])} | {Seconds(Median(list.Select(s => s.ToExit)))} |");
}
Console.WriteLine();
var ours = medians["Concierge monitor"];
foreach (var qemu in medians.Keys.Where(name => name.StartsWith("QEMU", StringComparison.Ordinal)))
{
    var ratio = ours is { } o && medians[qemu] is { } q ? (q / o).ToString("0.00", culture) + "x" : "n/a";
    Console.WriteLine($"- {qemu} median / Concierge median = **{ratio}** (above 1 means we boot faster)");
}

Console.Error.WriteLine("bench: memory");
var (growth, guest) = await MonitorBoot.MeasureMemoryAsync(options);
var (qemuTotal, qemuGuest) = await QemuBoot.MeasureMemoryAsync(options, "pc");
Console.WriteLine();
Console.WriteLine("Memory at /init (idle guest, after a warm-up VM so the monitor's code is already JIT-compiled):");
Console.WriteLine();
Console.WriteLine("| | RSS growth (KiB) | guest RAM resident (KiB) | overhead = growth − guest (KiB) |");
Console.WriteLine("|---|---|---|---|");
Console.WriteLine($"| Concierge monitor (one more VM in the process) | {growth} | {guest} | **{growth - guest}** |");
Console.WriteLine($"| QEMU -M pc (whole process) | {qemuTotal} | {qemuGuest} | {qemuTotal - qemuGuest} |");
