using System.Text.Json.Nodes;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using Concierge.Vmc;
using NUnit.Framework;

namespace Concierge.Tests.Vmc;

/// <summary>vmc against the real service on a private bus: everything that needs no VM.</summary>
[TestFixture]
[Category("Bus")]
[NonParallelizable]
public sealed class VmcBusTests
{
    private PrivateBus _bus = null!;
    private ConciergeProcess _service = null!;
    private DirectoryInfo _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _bus = await PrivateBus.StartAsync();
        _directory = Directory.CreateTempSubdirectory("vmc-bus-");
        _service = await ConciergeProcess.StartAsync(_bus.Address, Path.Combine(_directory.FullName, "state"), Directory.CreateDirectory(Path.Combine(_directory.FullName, "images")).FullName);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _service.DisposeAsync();
        await _bus.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    private Task<VmcRun> Vmc(params string[] args) => VmcRun.RunAsync([.. args, "--address", _bus.Address]);

    [Test]
    public async Task List_with_no_vms_says_how_to_start_one_and_json_is_an_empty_array()
    {
        var table = await Vmc("list");
        Assert.That(table.ExitCode, Is.Zero, table.Output);
        Assert.That(table.Out, Does.Contain("No VMs").And.Contain("vmc start"));
        var json = await Vmc("list", "--json");
        Assert.That(json.ExitCode, Is.Zero, json.Output);
        Assert.That(JsonNode.Parse(json.Out)!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Create_disks_destroy_round_trip()
    {
        var created = await Vmc("create", "disky", "64M");
        Assert.That(created.ExitCode, Is.Zero, created.Output);
        Assert.That(created.Out, Does.Contain("Created the disk of 'disky' (64 MiB)"));

        var again = await Vmc("create", "disky", "64M");
        Assert.That(again.ExitCode, Is.EqualTo(ExitCodes.Failed), again.Output);
        Assert.That(again.Error, Does.Contain("already exists").And.Contain("vmc destroy disky"));

        var table = await Vmc("disks");
        Assert.That(table.Out, Does.Match(@"(?m)^NAME\s+SIZE\s+PATH$").And.Match(@"(?m)^disky\s+64 MiB\s+/").And.Contain("Total: 64 MiB"));
        var json = JsonNode.Parse((await Vmc("disks", "--json")).Out)!.AsArray();
        var disk = json.Single(d => d!["name"]!.GetValue<string>() == "disky")!;
        Assert.That(disk["size_bytes"]!.GetValue<ulong>(), Is.EqualTo(64UL << 20));
        Assert.That(File.Exists(disk["path"]!.GetValue<string>()), Is.True);

        var destroyed = await Vmc("destroy", "disky", "-y");
        Assert.That(destroyed.ExitCode, Is.Zero, destroyed.Output);
        Assert.That(File.Exists(disk["path"]!.GetValue<string>()), Is.False);
        Assert.That((await Vmc("destroy", "disky", "-y")).ExitCode, Is.EqualTo(ExitCodes.NotFound));
    }

    [Test]
    public async Task Destroy_without_a_terminal_and_without_y_refuses_and_keeps_the_disk()
    {
        Assert.That((await Vmc("create", "keep", "1M")).ExitCode, Is.Zero);
        var refused = await Vmc("destroy", "keep");
        Assert.That(refused.ExitCode, Is.EqualTo(ExitCodes.NotConfirmed), refused.Output);
        Assert.That(refused.Error, Does.Contain("pass -y"));
        var answeredNo = await VmcRun.RunAsync(["destroy", "keep", "--address", _bus.Address], stdin: "n\n", interactive: true);
        Assert.That(answeredNo.ExitCode, Is.EqualTo(ExitCodes.NotConfirmed), answeredNo.Output);
        Assert.That((await Vmc("disks")).Out, Does.Contain("keep"));
        var answeredYes = await VmcRun.RunAsync(["destroy", "keep", "--address", _bus.Address], stdin: "y\n", interactive: true);
        Assert.That(answeredYes.ExitCode, Is.Zero, answeredYes.Output);
        Assert.That(answeredYes.Error, Does.Contain("WARNING"));
    }

    [TestCase("info")]
    [TestCase("stop")]
    [TestCase("kill")]
    [TestCase("logs")]
    public async Task Unknown_vms_exit_5_and_point_at_list(string verb)
    {
        var run = await Vmc(verb, "nosuchvm");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.NotFound), run.Output);
        Assert.That(run.Error, Does.Contain("nosuchvm").And.Contain("vmc list"));
    }

    [Test]
    public async Task Start_without_a_guest_image_fails_with_the_reason()
    {
        var run = await Vmc("start", "noimage", "--timeout", "5");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), run.Output);
        Assert.That(run.Error, Does.Contain("noimage"));
    }

    [Test]
    public async Task Disk_errors_say_what_to_do_and_do_not_point_at_console_logs()
    {
        var free = (ulong)new DriveInfo(_directory.FullName).AvailableFreeSpace;
        var tooBig = await Vmc("create", "roomy", (((free >> 20) + 1024) << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var tooSmall = await Vmc("create", "tiny", "512");

        Assert.Multiple(() =>
        {
            Assert.That(tooBig.ExitCode, Is.EqualTo(ExitCodes.Failed), tooBig.Output);
            Assert.That(tooBig.Error, Does.Contain("not enough space").And.Contain("ask for a smaller size").And.Not.Contain("vmc logs"));
            Assert.That(tooSmall.ExitCode, Is.EqualTo(ExitCodes.Usage), tooSmall.Output);
            Assert.That(tooSmall.Error, Does.Contain("outside").And.Not.Contain("vmc logs"));
        });
    }

    [Test]
    public async Task Invalid_names_are_refused_by_the_service()
    {
        var run = await Vmc("create", "bad/name", "1M");
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Output);
        Assert.That(run.Error, Does.Contain("bad/name"));
    }
}
