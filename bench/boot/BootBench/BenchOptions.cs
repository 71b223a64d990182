namespace Concierge.Bench.Boot;

/// <summary>What to boot and how often, from the command line (--name value pairs).</summary>
internal sealed record BenchOptions(string Kernel, string Initrd, string IdleInitrd, int Vcpus, int MemoryMiB, int Runs, string CommandLine, bool Microvm)
{
    /// <summary>The line the benchmark initramfs prints when /init starts.</summary>
    public const string Marker = "BENCH-INIT-REACHED";

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }
        string Get(string name) => values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");
        return new BenchOptions(
            Get("kernel"), Get("initrd"), Get("idle-initrd"),
            int.Parse(Get("vcpus"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Get("memory"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Get("runs"), System.Globalization.CultureInfo.InvariantCulture),
            Get("cmdline"),
            Get("microvm") == "1");
    }
}
