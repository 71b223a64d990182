using Concierge.Service.Protocol;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using NUnit.Framework;
using Tmds.DBus.Protocol;

namespace Concierge.Tests.Service.Api;

/// <summary>
/// The whole path with a real guest: the service process boots the built-in guest
/// ($CONCIERGE_CACHE/guest/current, made by guest/build.sh) through the typed face and the Chrome
/// OS signals, PropertiesChanged and SIGTERM follow. Needs /dev/kvm: fails (never skips) without it.
/// </summary>
[TestFixture]
[Category("Kvm"), HangGuard(15)]
public sealed class KvmLifecycleTests
{
    // Boots under TCG or on a loaded host take minutes; tests never assert speed.
    private static readonly TimeSpan Boot = TimeSpan.FromMinutes(6);
    private static readonly string[] Lifecycle = ["VmStartingUpSignal", "VmStartedSignal", "VmStoppingSignal", "VmStoppedSignal"];

    private PrivateBus _bus = null!;
    private string _state = null!;
    private string _guest = null!;

    [SetUp]
    public async Task StartBusAsync()
    {
        Assert.That(File.Exists("/dev/kvm"), Is.True, "/dev/kvm is missing: run this test through sandbox/run");
        _guest = Path.Combine(RepoPaths.Cache, "guest", "current");
        RepoPaths.RequireFile(Path.Combine(_guest, "initramfs.cpio.gz"), "guest/build.sh");
        _bus = await PrivateBus.StartAsync();
        _state = Directory.CreateTempSubdirectory("concierge-kvm-").FullName;
    }

    [TearDown]
    public async Task StopBusAsync()
    {
        await _bus.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Test]
    public async Task StartRunsHealthySignalsInOrderAndSigtermStopsIt()
    {
        await using var service = await ConciergeProcess.StartAsync(_bus.Address, _state, _guest);
        using var client = await TestBus.ConnectAsync(_bus.Address);
        var signals = new List<(string Member, byte[] Payload)>();
        using var watch = await client.WatchAsync(new MatchRule { Interface = ApiClient.ChromeOs, Path = ApiClient.Root }, m =>
        {
            lock (signals)
            {
                signals.Add((m.MemberAsString!, m.GetBodyReader().ReadArrayOfByte()));
            }
        });
        var changes = new List<string>();
        using var properties = await client.WatchAsync(new MatchRule { Interface = "org.freedesktop.DBus.Properties", Member = "PropertiesChanged" }, m =>
        {
            var reader = m.GetBodyReader();
            reader.ReadString();
            foreach (var (name, value) in reader.ReadDictionaryOfStringToVariantValue())
            {
                lock (changes)
                {
                    changes.Add($"{name}={value.ToString(includeTypeSuffix: false)}");
                }
            }
        });

        var started = await ApiClient.CallAsync(client, "StartVm", new StartVmRequest { Name = "kvm", Timeout = (uint)Boot.TotalSeconds }, StartVmResponse.Parser);
        Assert.That(started.Success, Is.True, started.FailureReason);
        await Eventually.HoldsAsync(() => Has(changes, "Health=healthy"), Boot, () => $"{string.Join(", ", changes)}\n{service.Output}");
        var info = await ApiClient.CallAsync(client, "GetVmInfo", new GetVmInfoRequest { Name = "kvm" }, GetVmInfoResponse.Parser);
        var console = await ApiClient.BusctlAsync(_bus.Address, null, "call", ConciergeProcess.BusName, "/org/chromium/VmConcierge/vm/kvm/u0", ApiClient.Vm, "ReadConsole", "u", "65536");

        await service.TerminateAsync();
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromMinutes(3));
        await Eventually.HoldsAsync(() => Has(signals, "VmStoppedSignal"), TimeSpan.FromSeconds(10), () => service.Output);

        List<(string Member, byte[] Payload)> seen;
        lock (signals)
        {
            seen = [.. signals];
        }
        var stopped = VmStoppedSignal.Parser.ParseFrom(seen.Last().Payload);
        Assert.Multiple(() =>
        {
            Assert.That(info.VmInfo.Status, Is.EqualTo(VmStatus.Running));
            Assert.That(info.VmInfo.Health, Is.EqualTo(VmHealth.Healthy));
            Assert.That(info.VmInfo.KernelVersion, Is.Not.Empty);
            Assert.That(info.VmInfo.BootDurationUsec, Is.GreaterThan(0));
            Assert.That(info.VmInfo.Cid, Is.GreaterThanOrEqualTo(32));
            Assert.That(console.ExitCode, Is.Zero, console.Output);
            Assert.That(seen.Select(s => s.Member), Is.EqualTo(Lifecycle));
            Assert.That(stopped.Reason, Is.EqualTo(VmStopReason.ServiceShutdown));
            // The reply already says starting (the object is born starting), so the changes that
            // follow are running and stopping.
            Assert.That(started.Status, Is.EqualTo(VmStatus.Starting));
            Assert.That(changes, Does.Contain("State=running").And.Contain("State=stopping"));
            Assert.That(exitCode, Is.Zero, service.Output);
        });
    }

    /// <summary>
    /// kill -9 while a VM runs (its monitor dies with the service): the restarted service has the
    /// VM stopped and its disk image intact, and boots the same VM again.
    /// </summary>
    [Test]
    public async Task KillNineWithARunningVmThenRestartKeepsTheRegistryAndBootsAgain()
    {
        await using var first = await ConciergeProcess.StartAsync(_bus.Address, _state, _guest);
        using var client = await TestBus.ConnectAsync(_bus.Address);
        var created = await ApiClient.ManagerAsync(_bus.Address, null, "CreateDiskImage", "st", "kvm", "1048576");
        Assert.That(created.ExitCode, Is.Zero, created.Output);
        var started = await ApiClient.CallAsync(client, "StartVm", new StartVmRequest { Name = "kvm", Timeout = (uint)Boot.TotalSeconds }, StartVmResponse.Parser);
        Assert.That(started.Success, Is.True, $"{started.FailureReason}\n{first.Output}");
        await WaitForVmAsync(client, i => i.Health == VmHealth.Healthy, () => first.Output);

        first.Kill();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await using var second = await ConciergeProcess.StartAsync(_bus.Address, _state, _guest);
        var afterCrash = await ApiClient.CallAsync(client, "GetVmInfo", new GetVmInfoRequest { Name = "kvm" }, GetVmInfoResponse.Parser);
        var disks = await ApiClient.ManagerAsync(_bus.Address, null, "ListDiskImages");
        var again = await ApiClient.CallAsync(client, "StartVm", new StartVmRequest { Name = "kvm", Timeout = (uint)Boot.TotalSeconds }, StartVmResponse.Parser);
        Assert.That(again.Success, Is.True, $"{again.FailureReason}\n{second.Output}");
        await WaitForVmAsync(client, i => i.Health == VmHealth.Healthy, () => second.Output);
        var stopped = await ApiClient.CallAsync(client, "StopVm", new StopVmRequest { Name = "kvm" }, SuccessFailureResponse.Parser);
        // Both services' logs (timestamped) in the test output: where the time went, pass or fail.
        await TestContext.Out.WriteLineAsync($"--- first service ---\n{first.Output}\n--- second service ---\n{second.Output}");

        Assert.Multiple(() =>
        {
            Assert.That(afterCrash.Success, Is.True, afterCrash.FailureReason);
            Assert.That(afterCrash.VmInfo.Status, Is.EqualTo(VmStatus.Stopped), "no monitor survives the service");
            Assert.That(second.Output, Does.Contain("was active when the service died"));
            Assert.That(disks.StandardOutput, Does.Contain("\"kvm\"").And.Contain(" 1048576"), disks.Output);
            Assert.That(stopped.Success, Is.True, stopped.FailureReason);
        });
    }

    private static async Task WaitForVmAsync(DBusConnection client, Func<VmInfo, bool> condition, Func<string> describe)
    {
        VmInfo? last = null;
        await Eventually.HoldsAsync(async () =>
        {
            last = (await ApiClient.CallAsync(client, "GetVmInfo", new GetVmInfoRequest { Name = "kvm" }, GetVmInfoResponse.Parser)).VmInfo;
            return condition(last);
        }, Boot, () => $"last: {last}\n{describe()}");
    }

    private static bool Has(List<string> items, string item)
    {
        lock (items)
        {
            return items.Contains(item);
        }
    }

    private static bool Has(List<(string Member, byte[] Payload)> items, string member)
    {
        lock (items)
        {
            return items.Any(i => i.Member == member);
        }
    }
}
