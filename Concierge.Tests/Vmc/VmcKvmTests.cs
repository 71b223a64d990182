using System.Text.Json.Nodes;
using Concierge.Tests.TestSupport;
using Concierge.Vmc;
using NUnit.Framework;

namespace Concierge.Tests.Vmc;

/// <summary>
/// vmc driving a real VM: the service process on a private bus boots the built-in guest
/// ($CONCIERGE_CACHE/guest/current) under our monitor, and vmc starts it, lists it, runs a command
/// in it, reads its console and stops it, as a person would. Needs /dev/kvm (sandbox/run).
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed class VmcKvmTests
{
    private VmcWithBuiltInGuest _vmc = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _vmc = await VmcWithBuiltInGuest.StartAsync("vmc-kvm-");

    [OneTimeTearDown]
    public async Task StopAsync() => await _vmc.DisposeAsync();

    private Task<VmcRun> Vmc(params string[] args) => _vmc.Vmc(args);

    [Test]
    public async Task StartExecLogsStopOfTheBuiltInGuest()
    {
        await using var watch = VmcInBackground.Start(["watch", "--address", _vmc.Bus.Address]);
        await watch.WaitForAsync("Watching VM events", TimeSpan.FromSeconds(60));
        // Boots under the emulated sandbox take tens of seconds; tests never assert speed.
        var start = await Vmc("start", "web", "--timeout", "300");
        Assert.That(start.ExitCode, Is.Zero, $"{start.Output}\nservice:\n{_vmc.Service.Output}");
        Assert.That(start.Out, Does.Contain("VM 'web' is running"));

        var list = JsonNode.Parse((await Vmc("list", "--json")).Out)!.AsArray();
        Assert.That(list.Select(vm => (string?)vm!["name"]).Single(), Is.EqualTo("web"));
        Assert.That((string?)list[0]!["state"], Is.EqualTo("running"));

        var exec = await Vmc("exec", "web", "--", "sh", "-c", "echo from $(hostname); echo oops >&2; exit 3");
        Assert.That(exec.ExitCode, Is.EqualTo(3), $"vmc exits with the command's status: {exec.Output}");
        Assert.That(exec.Out.Trim(), Is.EqualTo("from concierge-vm"));
        Assert.That(exec.Error, Does.Contain("oops"));

        var logs = await Vmc("logs", "web");
        Assert.That(logs.ExitCode, Is.Zero, logs.Output);
        Assert.That(logs.Out, Does.Contain("concierge-init: starting on kernel"), "the console log holds the init's lines");

        var stop = await Vmc("stop", "web");
        Assert.That(stop.ExitCode, Is.Zero, stop.Output);
        var info = JsonNode.Parse((await Vmc("info", "web", "--json")).Out)!;
        Assert.That((string?)info["state"], Is.EqualTo("stopped"), info.ToJsonString());

        await watch.WaitForAsync("web  stopped (", TimeSpan.FromSeconds(60));
        var watched = await watch.InterruptAsync();
        Assert.That(watched.ExitCode, Is.EqualTo(ExitCodes.Interrupted), "Ctrl-C ends watch as interrupted: " + watched.Output);
        // Lines are "HH:mm:ss  NAME  WHAT"; the clock is left out.
        var events = watched.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[10..]).ToList();
        var order = new[]
        {
            events.FindIndex(e => e.StartsWith("web  starting (cid ", StringComparison.Ordinal)),
            events.FindIndex(e => e.StartsWith("web  started (cid ", StringComparison.Ordinal)),
            events.FindIndex(e => e.StartsWith("web  stopping", StringComparison.Ordinal)),
            events.FindIndex(e => e.StartsWith("web  stopped (", StringComparison.Ordinal)),
        };
        Assert.That(order, Is.Ordered.And.All.GreaterThanOrEqualTo(0), watched.Out);
        Assert.That(events, Has.Some.Contains("health healthy"), watched.Out);
    }

    /// <summary>
    /// An extra disk made by vmc create: what the guest writes is there after a stop and a new
    /// start (which attaches the stored disks again), and attached read-only it refuses writes.
    /// The built-in guest has no rootfs, so the disk is the first virtio disk; the guest finds it
    /// by its serial (disk1) in sysfs.
    /// </summary>
    [Test]
    public async Task AnExtraDiskKeepsWhatTheGuestWroteAndReadOnlyRefusesWrites()
    {
        const string Device = "dev=$(for d in /sys/block/vd*; do [ \"$(cat $d/serial)\" = disk1 ] && echo /dev/${d##*/}; done); ";
        var created = await Vmc("create", "data", "16M", "--json");
        Assert.That(created.ExitCode, Is.Zero, created.Output);
        var path = (string)JsonNode.Parse(created.Out)!["path"]!;

        await StartAsync("disks", "--disk", path);
        var write = await Vmc("exec", "disks", "--", "sh", "-c", Device + "printf concierge-disk-1 | dd of=$dev conv=fsync 2>&1");
        Assert.That(write.ExitCode, Is.Zero, write.Output);
        await StopAsync("disks");

        await StartAsync("disks");
        var read = await Vmc("exec", "disks", "--", "sh", "-c", Device + "head -c 16 $dev");
        Assert.That(read.Out, Is.EqualTo("concierge-disk-1"), read.Output);
        await StopAsync("disks");

        await StartAsync("disks", "--disk", path + ":ro");
        var refused = await Vmc("exec", "disks", "--", "sh", "-c", Device + "printf overwritten | dd of=$dev conv=fsync");
        var kept = await Vmc("exec", "disks", "--", "sh", "-c", Device + "cat /sys/block/${dev#/dev/}/ro; head -c 16 $dev");
        await StopAsync("disks");

        Assert.Multiple(() =>
        {
            Assert.That(refused.ExitCode, Is.Not.Zero, $"a read-only disk takes no write: {refused.Output}");
            Assert.That(kept.Out, Is.EqualTo("1\nconcierge-disk-1"), kept.Output);
        });
    }

    private async Task StartAsync(string name, params string[] options)
    {
        var start = await Vmc(["start", name, "--timeout", "300", .. options]);
        Assert.That(start.ExitCode, Is.Zero, $"{start.Output}\nservice:\n{_vmc.Service.Output}");
    }

    private async Task StopAsync(string name)
    {
        var stop = await Vmc("stop", name);
        Assert.That(stop.ExitCode, Is.Zero, stop.Output);
    }
}
