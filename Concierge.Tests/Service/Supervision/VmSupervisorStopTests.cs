using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Supervision;

[TestFixture, Category("Unit")]
public sealed class VmSupervisorStopTests
{
    [Test]
    public async Task A_cooperative_guest_is_asked_and_stops()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        await h.Supervisor.StopAsync().WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.Multiple(() =>
        {
            Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Stopped));
            Assert.That(h.Snapshot.StopReason, Is.EqualTo(VmStopReason.StopRequested));
            Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "guest-shutdown", "dispose" }));
            Assert.That(h.Transitions.Select(t => t.Current.State),
                Is.EqualTo(new[] { VmState.Starting, VmState.Running, VmState.Stopping, VmState.Stopped }));
        });
    }

    [Test]
    public async Task A_guest_that_ignores_shutdown_gets_its_monitor_stopped_after_the_grace()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();
        vm.IgnoreGuestShutdown = true;

        var stopped = h.Supervisor.StopAsync(VmStopReason.StopAllRequested);
        await h.SyncAsync();
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Stopping));

        await h.AdvanceAsync(h.Options.GuestShutdownGrace - TimeSpan.FromMilliseconds(1));
        Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "guest-shutdown" }), "not before the grace ends");

        await h.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        await stopped.WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "guest-shutdown", "stop-monitor", "dispose" }));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Stopped));
        Assert.That(h.Snapshot.StopReason, Is.EqualTo(VmStopReason.StopAllRequested));
    }

    [Test]
    public async Task A_monitor_that_does_not_stop_is_killed_after_its_grace()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();
        vm.IgnoreGuestShutdown = true;
        vm.IgnoreMonitorStop = true;

        var stopped = h.Supervisor.StopAsync();
        await h.SyncAsync();
        await h.AdvanceAsync(h.Options.GuestShutdownGrace);
        await h.AdvanceAsync(h.Options.MonitorStopGrace - TimeSpan.FromMilliseconds(1));
        Assert.That(vm.Calls, Has.No.Member("kill"));

        await h.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        await stopped.WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "guest-shutdown", "stop-monitor", "kill", "dispose" }));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Stopped));
    }

    [Test]
    public async Task A_vm_that_survives_kill_is_abandoned_as_failed_and_the_stop_still_completes()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();
        vm.IgnoreGuestShutdown = true;
        vm.IgnoreMonitorStop = true;
        vm.IgnoreKill = true;

        var stopped = h.Supervisor.StopAsync();
        await h.SyncAsync();
        await h.AdvanceAsync(h.Options.GuestShutdownGrace);
        await h.AdvanceAsync(h.Options.MonitorStopGrace);
        await h.AdvanceAsync(h.Options.KillGrace);
        await stopped.WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Failed));
        Assert.That(h.Snapshot.FailureReason, Does.Contain("did not exit after being killed"));
    }

    [Test]
    public async Task Stopping_a_starting_vm_skips_the_guest_it_cannot_reach_yet()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartAsync();

        await h.Supervisor.StopAsync().WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "stop-monitor", "dispose" }));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Stopped));
    }

    [Test]
    public async Task Kill_does_not_ask_the_guest()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        await h.Supervisor.KillAsync().WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "kill", "dispose" }));
        Assert.That(h.Snapshot.StopReason, Is.EqualTo(VmStopReason.KillRequested));
    }

    [Test]
    public async Task Kill_during_a_slow_stop_escalates_at_once()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();
        vm.IgnoreGuestShutdown = true;

        var stop = h.Supervisor.StopAsync();
        await h.SyncAsync();
        await h.Supervisor.KillAsync().WaitAsync(SupervisorHarness.SafetyTimeout);
        await stop.WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "guest-shutdown", "kill", "dispose" }));
        Assert.That(h.Snapshot.StopReason, Is.EqualTo(VmStopReason.KillRequested));
    }

    [Test]
    public async Task Stopping_a_stopped_vm_succeeds_at_once()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();
        vm.End(InstanceExitKind.PowerOff, "bye");
        await h.Supervisor.Completion.WaitAsync(SupervisorHarness.SafetyTimeout);

        await h.Supervisor.StopAsync().WaitAsync(SupervisorHarness.SafetyTimeout);

        Assert.That(h.Snapshot.StopReason, Is.EqualTo(VmStopReason.VmExited), "the earlier reason stays");
    }
}
