using System.Diagnostics;
using System.Text.Json.Nodes;
using Concierge.Tests.TestSupport;
using Concierge.Tests.Vmc;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>
/// Many real guests in one service, driven through vmc as people would: several started at once,
/// and VMs started and stopped over and over while others keep running. Every monitor lives in
/// the service's process, so one VM's start or stop must never disturb another. Small guests
/// (128 MiB, one vCPU) keep the sandbox's memory in bounds. Needs /dev/kvm (sandbox/run).
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(25), NonParallelizable]
public sealed class ManyVmsKvmTests
{
    // One boot takes ~30 s in the emulated sandbox and several share its two vCPUs, far past the
    // service's 60 s default (meant for real hardware, where a boot takes one to three seconds).
    private const string StartTimeoutSeconds = "900";
    private static readonly TimeSpan Healthy = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ChurnFor = TimeSpan.FromMinutes(5);
    // What the service logs when it had to stop a guest's monitor because the guest did not power off.
    private const string IgnoredShutdown = "ignored the shutdown request";

    private VmcWithBuiltInGuest _vmc = null!;

    [SetUp]
    public async Task StartAsync() => _vmc = await VmcWithBuiltInGuest.StartAsync("many-vms-");

    [TearDown]
    public async Task StopAsync() => await _vmc.DisposeAsync();

    [Test]
    public async Task SixVmsStartedAtOnceAllRunAnswerAnExecAndStopCleanly()
    {
        var names = Enumerable.Range(0, 6).Select(i => $"many{i}").ToArray();
        var clock = Stopwatch.StartNew();

        var starts = await Task.WhenAll(names.Select(StartVmAsync));
        var running = clock.Elapsed;
        Assert.That(starts.Select(s => s.ExitCode), Is.All.Zero, () => Describe(starts));
        await WaitUntilAllHealthyAsync(names);
        var healthy = clock.Elapsed;

        var execs = await Task.WhenAll(names.Select(name => Vmc("exec", name, "--", "sh", "-c", $"echo {name} $((6 * 7))")));
        Assert.That(execs.Select(e => (e.ExitCode, e.Out.Trim())), Is.EqualTo(names.Select(name => (0, $"{name} 42"))), () => Describe(execs));

        var stops = await Task.WhenAll(names.Select(name => Vmc("stop", name)));
        var stopped = clock.Elapsed;
        Assert.That(stops.Select(s => s.ExitCode), Is.All.Zero, () => Describe(stops));
        Assert.That(_vmc.Service.Output, Does.Not.Contain(IgnoredShutdown), "every guest shut down when asked");
        var views = await ListAsync();
        Assert.That(views.Select(vm => ((string?)vm["state"], (string?)vm["failure_reason"], (int?)vm["restart_count"])),
            Is.All.EqualTo(("stopped", (string?)null, (int?)0)), () => Json(views));
        await TestContext.Out.WriteLineAsync(
            $"6 VMs started at once: all running after {running.TotalSeconds:F0} s, healthy after {healthy.TotalSeconds:F0} s, stopped after {stopped.TotalSeconds:F0} s");
    }

    /// <summary>
    /// Two VMs keep running while two others are started, run a command and stopped in turn for
    /// <see cref="ChurnFor"/>: every cycle succeeds, and the steady VMs never fail, restart or stop answering.
    /// </summary>
    // Explicit until the emulated sandbox stops corrupting guest memory: in CI it triple-faulted a
    // guest at its 7th cycle (QEMU TCG with nested SVM; see sandbox/README.md). Run it by name:
    // ./dev.sh kvm "FullyQualifiedName~VmsStartedAndStoppedInALoop"
    [Test, Explicit("the emulated sandbox corrupts a guest now and then over many boots; run it by name")]
    public async Task VmsStartedAndStoppedInALoopNeverDisturbTheOnesThatKeepRunning()
    {
        string[] steady = ["steady0", "steady1"];
        var starts = await Task.WhenAll(steady.Select(StartVmAsync));
        Assert.That(starts.Select(s => s.ExitCode), Is.All.Zero, () => Describe(starts));
        await WaitUntilAllHealthyAsync(steady);
        var bootedAt = (await ListAsync()).ToDictionary(vm => (string)vm["name"]!, vm => (string?)vm["started_at"]);

        var clock = Stopwatch.StartNew();
        var cycles = await Task.WhenAll(Enumerable.Range(0, 2).Select(lane => ChurnAsync($"churn{lane}", clock)));

        var execs = await Task.WhenAll(steady.Select(name => Vmc("exec", name, "--", "true")));
        var views = (await ListAsync()).Where(vm => steady.Contains((string?)vm["name"])).ToList();
        await TestContext.Out.WriteLineAsync($"churn: {cycles.Sum()} start-exec-stop cycles in {clock.Elapsed.TotalSeconds:F0} s beside 2 running VMs");
        Assert.Multiple(() =>
        {
            Assert.That(cycles, Is.All.Positive);
            Assert.That(_vmc.Service.Output, Does.Not.Contain(IgnoredShutdown), "every guest shut down when asked");
            Assert.That(execs.Select(e => e.ExitCode), Is.All.Zero, () => Describe(execs));
            Assert.That(views.Select(vm => ((string?)vm["state"], (string?)vm["health"], (int?)vm["restart_count"])),
                Is.All.EqualTo(("running", "healthy", (int?)0)), () => Json(views));
            Assert.That(views.Select(vm => (string?)vm["started_at"]), Is.EqualTo(steady.Select(name => bootedAt[name])), "the steady VMs were never rebooted");
        });
    }

    /// <summary>Start, exec, stop <paramref name="name"/> until <see cref="ChurnFor"/> has passed; the number of cycles.</summary>
    private async Task<int> ChurnAsync(string name, Stopwatch clock)
    {
        var cycles = 0;
        while (clock.Elapsed < ChurnFor)
        {
            var start = await StartVmAsync(name);
            Assert.That(start.ExitCode, Is.Zero, $"cycle {cycles + 1} of {name}: {start.Output}\nservice:\n{_vmc.Service.Output}");
            var exec = await Vmc("exec", name, "--", "echo", "cycle");
            Assert.That((exec.ExitCode, exec.Out.Trim()), Is.EqualTo((0, "cycle")), $"cycle {cycles + 1} of {name}: {exec.Output}");
            var stop = await Vmc("stop", name);
            Assert.That(stop.ExitCode, Is.Zero, $"cycle {cycles + 1} of {name}: {stop.Output}");
            cycles++;
        }
        return cycles;
    }

    private Task<VmcRun> StartVmAsync(string name) => Vmc("start", name, "--mem", "128M", "--cpus", "1", "--timeout", StartTimeoutSeconds);

    /// <summary>Health comes with the guest's first heartbeat, a moment after running.</summary>
    private async Task WaitUntilAllHealthyAsync(string[] names)
    {
        List<JsonObject> last = [];
        await Eventually.HoldsAsync(async () =>
        {
            last = await ListAsync();
            return last.Count(vm => names.Contains((string?)vm["name"]) && (string?)vm["health"] == "healthy") == names.Length;
        }, Healthy, () => $"{Json(last)}\nservice:\n{_vmc.Service.Output}");
    }

    private async Task<List<JsonObject>> ListAsync()
    {
        var list = await Vmc("list", "--json");
        Assert.That(list.ExitCode, Is.Zero, list.Output);
        return [.. JsonNode.Parse(list.Out)!.AsArray().Select(vm => vm!.AsObject())];
    }

    private static string Json(IEnumerable<JsonObject> views) => new JsonArray([.. views.Select(vm => vm.DeepClone())]).ToJsonString();

    private string Describe(IEnumerable<VmcRun> runs) =>
        string.Join("\n", runs.Select((run, i) => $"[{i}] exit {run.ExitCode}: {run.Output.Trim()}")) + $"\nservice:\n{_vmc.Service.Output}";

    private Task<VmcRun> Vmc(params string[] args) => _vmc.Vmc(args);
}
