using System.Text.Json.Nodes;
using Concierge.Tests.Service.Hosting;
using Concierge.Vmc;
using NUnit.Framework;

namespace Concierge.Tests.Vmc;

/// <summary>
/// vmc watch against the real service on a private bus. Its image directory holds an unbootable
/// kernel, so a start gets as far as the monitor and fails there: starting, then stopped (failed).
/// </summary>
[TestFixture]
[Category("Bus")]
[NonParallelizable]
public sealed class VmcWatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private ServiceUnderTest _service = null!;

    [SetUp]
    public async Task StartAsync() => _service = await ServiceUnderTest.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _service.DisposeAsync();

    private VmcInBackground Watch(params string[] options) => VmcInBackground.Start(["watch", .. options, "--address", _service.Bus.Address]);

    private Task<VmcRun> Vmc(params string[] args) => VmcRun.RunAsync([.. args, "--address", _service.Bus.Address]);

    [Test]
    public async Task A_start_that_fails_shows_as_starting_then_stopped_and_interrupt_exits_130()
    {
        await using var watch = Watch();
        await watch.WaitForAsync("Watching VM events", Patience);

        var start = await Vmc("start", "watched", "--timeout", "30");
        await watch.WaitForAsync("watched  stopped (", Patience);
        var run = await watch.InterruptAsync();

        Assert.That(start.ExitCode, Is.EqualTo(ExitCodes.Failed), start.Output);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Interrupted), run.Output);
        var lifecycle = Events(run).Where(l => l.StartsWith("watched  starting (cid ", StringComparison.Ordinal)
            || l.StartsWith("watched  stopped (failed: ", StringComparison.Ordinal)).ToList();
        Assert.That(lifecycle, Has.Count.EqualTo(2), run.Out);
        Assert.That(lifecycle[0], Does.StartWith("watched  starting"), "starting comes first");
        Assert.That(Events(run), Has.Some.StartsWith("watched  ").And.Contains("state failed"), run.Out);
    }

    [Test]
    public async Task The_service_going_away_and_coming_back_is_shown()
    {
        await using var watch = Watch();
        await watch.WaitForAsync("Watching VM events", Patience);

        _service.Service!.Kill();
        await watch.WaitForAsync("(service)  stopped", Patience);
        await _service.RestartAsync();
        await watch.WaitForAsync("(service)  started", Patience);

        Assert.That((await watch.InterruptAsync()).ExitCode, Is.EqualTo(ExitCodes.Interrupted));
    }

    [Test]
    public async Task Json_prints_one_event_object_per_line()
    {
        await using var watch = Watch("--json");
        // JSON mode prints no hint, so nothing says when the watch is subscribed: a failing start
        // is repeated until the watch has seen one.
        var deadline = DateTime.UtcNow + Patience;
        while (!watch.HasOutput("\"event\":\"stopped\"") && DateTime.UtcNow < deadline)
        {
            await Vmc("start", "jsonwatched", "--timeout", "30");
        }
        var run = await watch.InterruptAsync();

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Interrupted), run.Output);
        var events = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.That(events.Select(e => (string?)e["type"]), Is.All.AnyOf("lifecycle", "properties", "service"), run.Out);
        var lifecycle = events.Where(e => (string?)e["type"] == "lifecycle").ToList();
        Assert.That(lifecycle.Select(e => (string?)e["vm"]), Is.All.EqualTo("jsonwatched"), run.Out);
        Assert.That(lifecycle.Select(e => (string?)e["event"]), Does.Contain("stopped"), run.Out);
    }

    /// <summary>Lines are "HH:mm:ss  NAME  WHAT"; the clock is left out.</summary>
    private static List<string> Events(VmcRun run) =>
        run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[10..]).ToList();
}
