using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Concierge.Tests.TestSupport;
using Concierge.Tests.Vmm.Devices.Virtio.Guest;
using Concierge.Vmm;
using Concierge.Vmm.Devices.Pci;
using Concierge.Vmm.Devices.Virtio.Block;
using Concierge.Vmm.Devices.Virtio.Vsock;
using Concierge.Vmm.Images;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Devices.Virtio;

/// <summary>
/// Side-by-side throughput of our virtio-blk and vsock against QEMU (virtio-blk-pci, vhost-vsock-pci)
/// booting the same kernel and initramfs on the same KVM. Run with bench/virtio/run.sh; writes
/// bench/virtio/results.md. Reports numbers only: it asserts nothing about speed.
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(40), Explicit("benchmark: run with bench/virtio/run.sh"), NonParallelizable]
public sealed partial class VirtioBench
{
    private const uint VsockPort = 7778;
    private const int BlockMiB = 32;
    private const int VsockMiB = 16;

    // busybox's dd here prints no rate line, so every measure is timed with /proc/uptime around it.
    private static readonly string Script = $"""
        for i in $(seq 1 100); do [ -b /dev/vda ] && break; sleep 0.1; done
        measure() ( name=$1; mib=$2; shift 2; start=$(cut -d' ' -f1 /proc/uptime); sh -c "$*"; status=$?; echo "BENCH-$name $mib $start $(cut -d' ' -f1 /proc/uptime) exit=$status" )
        measure WRITE {BlockMiB} "dd if=/dev/zero of=/dev/vda bs=1M count={BlockMiB} oflag=direct 2>/dev/null"
        measure READ {BlockMiB} "dd if=/dev/vda of=/dev/null bs=1M count={BlockMiB} iflag=direct 2>/dev/null"
        measure VSOCK {VsockMiB} "dd if=/dev/zero bs=65536 count={VsockMiB * 16} 2>/dev/null | vsockio connect 2 {VsockPort} >/dev/null"
        poweroff -f
        """;

    private DirectoryInfo _scratch = null!;

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("virtio-bench-");

    [TearDown]
    public void DeleteScratch() => _scratch.Delete(recursive: true);

    [Test]
    public async Task CompareWithQemu()
    {
        var initrd = await VirtioGuestImage.CreateAsync(_scratch.FullName, Script);
        var rounds = Environment.GetEnvironmentVariable("TEST_BENCH_ROUNDS") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 2;
        var ours = new List<Dictionary<string, double>>();
        var qemu = new List<Dictionary<string, double>>();
        var counters = "";
        for (var round = 0; round < rounds; round++)
        {
            // Ours, QEMU, QEMU, ours, ...: on a shared machine whose load drifts, both sides see it alike.
            foreach (var oursNow in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                if (oursNow)
                {
                    (var rates, counters) = await RunOurs(initrd, round);
                    ours.Add(rates);
                    TestContext.Progress.WriteLine($"Concierge.Vmm round {round + 1}: {Format(rates)}");
                }
                else
                {
                    var rates = await RunQemu(initrd, round);
                    qemu.Add(rates);
                    TestContext.Progress.WriteLine($"QEMU round {round + 1}: {Format(rates)}");
                }
            }
        }

        var report = new StringBuilder();
        report.AppendLine("# virtio throughput: Concierge.Vmm vs QEMU");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `bench/virtio/run.sh` (one sandbox run, same kernel, initramfs and KVM for both; {rounds} rounds, ours and QEMU alternating ABBA).");
        report.AppendLine(CultureInfo.InvariantCulture, $"Guest: Debian 6.1 stock kernel, 1 vCPU, 256 MiB; block: busybox dd {BlockMiB} MiB bs=1M with O_DIRECT on a raw image; vsock: {VsockMiB} MiB guest -> host through vsockio.");
        report.AppendLine(CultureInfo.InvariantCulture, $"KVM here: {(Environment.GetEnvironmentVariable("SANDBOX_L1") == "1" ? "nested inside a QEMU TCG L1 guest (absolute numbers are tiny; compare ratios only)" : "the machine's own /dev/kvm")}.");
        report.AppendLine();
        report.AppendLine("| measure | Concierge.Vmm mean (each round) | QEMU mean (each round) | ratio of means |");
        report.AppendLine("|---|---|---|---|");
        foreach (var (name, key) in new[] { ("block sequential write MB/s", "write"), ("block sequential read MB/s", "read"), ("vsock guest->host MB/s", "vsock") })
        {
            var a = ours.Average(run => run[key]);
            var b = qemu.Average(run => run[key]);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {a:F2} ({Each(ours, key)}) | {b:F2} ({Each(qemu, key)}) | {(b > 0 ? a / b : double.NaN):F2}x |");
        }
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Concierge.Vmm device counters over its last run (boot included): {counters}.");
        TestContext.Out.WriteLine(report.ToString());
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Root, "bench", "virtio", "results.md"), report.ToString());
    }

    private static string Format(Dictionary<string, double> rates) =>
        string.Join(", ", rates.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}={pair.Value:F2} MB/s")));

    private static string Each(List<Dictionary<string, double>> runs, string key) =>
        string.Join(", ", runs.Select(run => run[key].ToString("F2", CultureInfo.InvariantCulture)));

    private async Task<(Dictionary<string, double> Rates, string Counters)> RunOurs(string initrd, int round)
    {
        var disk = CreateDisk($"ours{round}.img");
        var spec = StockGuest.Spec(initrd, vcpus: 1, memoryMiB: 256, VirtioGuestTests.CommandLine) with
        {
            BlockDevices = [new BlockDeviceSpec(ImageFile.Open(disk, writable: true), ReadOnly: false, "bench")],
            Vsock = new VsockDeviceSpec(3),
        };
        await using var vm = new VmBuilder(spec).Build();
        var blockPci = vm.VirtioDevices.Single(transport => transport.Device is BlockDevice);
        var vsockPci = vm.VirtioDevices.Single(transport => transport.Device is VsockDevice);
        using var listener = vm.Vsock!.Listen(VsockPort);
        var sink = Task.Run(async () =>
        {
            await using var stream = await listener.AcceptAsync();
            var buffer = new byte[64 << 10];
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });
        vm.Start();
        await vm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(20));
        await sink.WaitAsync(TimeSpan.FromMinutes(1));
        return (Parse(vm.Console.RecentOutput), $"block {Describe(blockPci)}; vsock {Describe(vsockPci)}");
    }

    private static string Describe(VirtioPciDevice transport)
    {
        var counters = transport.Device.Counters;
        return string.Create(CultureInfo.InvariantCulture,
            $"{counters.Chains} chains, {counters.Passes} worker passes, {counters.Interrupts} interrupts, {counters.Notifications} relayed kicks, {transport.DoorbellExits} doorbell MMIO exits");
    }

    private async Task<Dictionary<string, double>> RunQemu(string initrd, int round)
    {
        var disk = CreateDisk($"qemu{round}.img");
        var modules = KernelModules.Resolve(["vhost_vsock"]);
        foreach (var module in modules)
        {
            // Already loaded (or built in) is fine; a real failure shows up as QEMU failing to open /dev/vhost-vsock.
            await Command.RunAsync("/bin/busybox", ["insmod", module]);
        }
        var hostSink = Process.Start(new ProcessStartInfo(Path.Combine(_scratch.FullName, "vsockio"), ["listen", VsockPort.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        hostSink.StandardInput.Close();
        var drain = hostSink.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var result = await Command.RunAsync("qemu-system-x86_64",
        [
            "-accel", "kvm", "-M", "pc", "-cpu", "host", "-m", "256", "-smp", "1", "-nographic", "-no-reboot",
            "-kernel", RepoPaths.Vmlinuz, "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1",
            "-drive", $"file={disk},if=none,id=d0,format=raw",
            "-device", "virtio-blk-pci,drive=d0,disable-legacy=on",
            "-device", "vhost-vsock-pci,guest-cid=3,disable-legacy=on",
        ], TimeSpan.FromMinutes(20));
        hostSink.Kill();
        await drain.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        TestContext.Out.WriteLine(result.Output);
        return Parse(result.StandardOutput);
    }

    private string CreateDisk(string name)
    {
        var path = Path.Combine(_scratch.FullName, name);
        using var file = File.Create(path);
        file.SetLength(256L << 20);
        return path;
    }

    private static Dictionary<string, double> Parse(string console)
    {
        var values = new Dictionary<string, double> { ["write"] = double.NaN, ["read"] = double.NaN, ["vsock"] = double.NaN };
        foreach (Match match in MeasureLine().Matches(console))
        {
            var seconds = double.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture) - double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
            values[match.Groups[1].Value.ToLowerInvariant()] = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) * 1.048576 / seconds;
        }
        return values;
    }

    [GeneratedRegex(@"BENCH-(WRITE|READ|VSOCK) (\d+) ([0-9.]+) ([0-9.]+) exit=0")]
    private static partial Regex MeasureLine();
}
