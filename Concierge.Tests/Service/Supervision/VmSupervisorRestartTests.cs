using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Supervision;

[TestFixture, Category("Unit")]
public sealed class VmSupervisorRestartTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    [Test]
    public async Task On_failure_restarts_with_doubling_backoff_and_gives_up_after_the_burst()
    {
        var definition = new VmDefinition { KernelPath = "k", RestartPolicy = RestartPolicy.OnFailure };
        await using var h = new SupervisorHarness(definition);
        var waited = new List<TimeSpan>();

        var vm = await h.StartRunningAsync();
        for (var restart = 1; restart <= 5; restart++)
        {
            vm.End(InstanceExitKind.GuestCrash, $"panic {restart}");
            var failed = await h.WaitForAsync(s => s.State == VmState.Failed && s.RestartCount == restart - 1);
            Assert.That(failed.RestartDelay, Is.EqualTo(TimeSpan.FromSeconds(Math.Pow(2, restart - 1))), $"restart {restart}");

            waited.Add(await h.AdvanceUntilAsync(() => h.Factory.CreatedCount == restart + 1, Step, TimeSpan.FromSeconds(60)));
            vm = await h.Factory.NextAsync();
            Assert.That(vm.Launch.Attempt, Is.EqualTo(restart));
            Assert.That(vm.Launch.Cid, Is.EqualTo(32u), "a restarted VM keeps its CID");
        }

        vm.End(InstanceExitKind.GuestCrash, "panic 6");
        await h.Supervisor.Completion.WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.Multiple(() =>
        {
            for (var i = 0; i < waited.Count; i++)
            {
                var delay = TimeSpan.FromSeconds(Math.Pow(2, i));
                Assert.That(waited[i], Is.GreaterThanOrEqualTo(delay), "never restarted before its backoff");
                Assert.That(waited[i], Is.LessThan(delay + TimeSpan.FromSeconds(2)));
            }
            Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Failed));
            Assert.That(h.Snapshot.FailureReason, Is.EqualTo("guest crashed: panic 6; gave up after 5 restarts within 60 s"));
            Assert.That(h.Snapshot.RestartDelay, Is.Null);
            Assert.That(h.Factory.CreatedCount, Is.EqualTo(6));
        });
    }

    [Test]
    public async Task Failures_spread_wider_than_the_window_keep_restarting_from_the_base_delay()
    {
        var definition = new VmDefinition { KernelPath = "k", RestartPolicy = RestartPolicy.OnFailure };
        await using var h = new SupervisorHarness(definition);
        var vm = await h.StartRunningAsync();

        for (var restart = 1; restart <= 7; restart++)
        {
            vm.End(InstanceExitKind.DeviceFault, "queue fault");
            var failed = await h.WaitForAsync(s => s.State == VmState.Failed && s.RestartCount == restart - 1);
            Assert.That(failed.RestartDelay, Is.EqualTo(TimeSpan.FromSeconds(1)), "the previous restart left the window");
            await h.AdvanceUntilAsync(() => h.Factory.CreatedCount == restart + 1, Step, TimeSpan.FromSeconds(10));
            vm = await h.Factory.NextAsync();
            await h.SyncAsync();
            await vm.HelloAsync();
            await h.SyncAsync();
            // Runs healthily for longer than the restart window.
            for (ulong beat = 0; beat < 61; beat++)
            {
                await h.AdvanceAsync(TimeSpan.FromSeconds(1));
                await vm.HeartbeatAsync(beat);
            }
            await h.SyncAsync();
        }
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Running));
    }

    [Test]
    public async Task Never_policy_does_not_restart()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        vm.End(InstanceExitKind.GuestCrash, "panic");
        await h.Supervisor.Completion.WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(h.Factory.CreatedCount, Is.EqualTo(1));
        Assert.That(h.Snapshot.RestartDelay, Is.Null);
    }

    [Test]
    public async Task On_failure_does_not_restart_after_a_clean_power_off()
    {
        var definition = new VmDefinition { KernelPath = "k", RestartPolicy = RestartPolicy.OnFailure };
        await using var h = new SupervisorHarness(definition);
        var vm = await h.StartRunningAsync();

        vm.End(InstanceExitKind.PowerOff, "poweroff");
        await h.Supervisor.Completion.WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Stopped));
        Assert.That(h.Factory.CreatedCount, Is.EqualTo(1));
    }

    [Test]
    public async Task A_stop_during_the_backoff_cancels_the_restart()
    {
        var definition = new VmDefinition { KernelPath = "k", RestartPolicy = RestartPolicy.OnFailure };
        await using var h = new SupervisorHarness(definition);
        var vm = await h.StartRunningAsync();

        vm.End(InstanceExitKind.GuestCrash, "panic");
        await h.WaitForAsync(s => s.State == VmState.Failed);
        await h.Supervisor.StopAsync().WaitAsync(SupervisorHarness.SafetyTimeout);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        await h.Supervisor.Completion.WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(h.Factory.CreatedCount, Is.EqualTo(1));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Stopped));
        Assert.That(h.Snapshot.StopReason, Is.EqualTo(VmStopReason.StopRequested));
    }

    [Test]
    public async Task A_startup_timeout_counts_as_a_failure_for_the_restart_policy()
    {
        var definition = new VmDefinition { KernelPath = "k", RestartPolicy = RestartPolicy.OnFailure, StartupTimeout = TimeSpan.FromSeconds(5) };
        await using var h = new SupervisorHarness(definition);
        await h.StartAsync();

        await h.AdvanceAsync(TimeSpan.FromSeconds(5));
        await h.WaitForAsync(s => s.State == VmState.Failed);
        await h.AdvanceUntilAsync(() => h.Factory.CreatedCount == 2, Step, TimeSpan.FromSeconds(10));
        var second = await h.Factory.NextAsync();

        Assert.That(second.Launch.Attempt, Is.EqualTo(1));
    }
}
