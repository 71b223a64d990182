using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Service.Supervision;

[TestFixture, Category("Unit")]
public sealed class VmSupervisorLifecycleTests
{
    [Test]
    public async Task Hello_moves_starting_to_running_and_records_boot_duration()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartAsync();
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Starting));

        await h.AdvanceAsync(TimeSpan.FromSeconds(3));
        await vm.HelloAsync();
        await h.SyncAsync();

        Assert.Multiple(() =>
        {
            Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Running));
            Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Healthy));
            Assert.That(h.Snapshot.BootDuration, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(h.Snapshot.KernelVersion, Is.EqualTo("6.1.0-test"));
            Assert.That(h.Transitions.Select(t => t.Current.State), Is.EqualTo(new[] { VmState.Starting, VmState.Running }));
            Assert.That(vm.Launch.Cid, Is.EqualTo(32u));
        });
    }

    [Test]
    public async Task Right_after_start_the_status_says_starting_and_the_first_transition_is_announced_once()
    {
        await using var h = new SupervisorHarness();

        // StartVm answers with the status read right after Start, before the loop has run.
        h.Supervisor.Start();
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Starting));

        var vm = await h.Factory.NextAsync();
        await h.SyncAsync();
        await vm.HelloAsync();
        await h.SyncAsync();

        Assert.That(h.Transitions.Select(t => (t.Previous.State, t.Current.State)),
            Is.EqualTo(new[] { (VmState.Stopped, VmState.Starting), (VmState.Starting, VmState.Running) }));
    }

    [Test]
    public async Task No_hello_within_the_startup_timeout_fails_the_vm_and_stops_its_monitor()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartAsync();
        vm.Progress = "the console's last line: \"Run /init as init process\"; vcpu0: 9 exits, the last an I/O write to port 0x3f8";

        await h.AdvanceAsync(TimeSpan.FromSeconds(59));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Starting));

        await h.AdvanceAsync(TimeSpan.FromSeconds(1));
        var final = await h.WaitForAsync(s => s.State == VmState.Failed);

        Assert.Multiple(() =>
        {
            Assert.That(final.FailureReason, Is.EqualTo("the guest did not say hello within 60 s; " + vm.Progress), "with what the VM showed");
            Assert.That(final.StopReason, Is.EqualTo(VmStopReason.Failed));
            Assert.That(final.RestartDelay, Is.Null);
            Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "stop-monitor", "dispose" }));
            // A failure teardown is not a requested stop: no Stopping in between.
            Assert.That(h.Transitions.Select(t => t.Current.State), Is.EqualTo(new[] { VmState.Starting, VmState.Failed }));
        });
        await h.Supervisor.Completion.WaitAsync(SupervisorHarness.SafetyTimeout);
    }

    [TestCase(InstanceExitKind.GuestCrash, "guest crashed: Kernel panic")]
    [TestCase(InstanceExitKind.TripleFault, "guest triple fault: Kernel panic")]
    [TestCase(InstanceExitKind.DeviceFault, "device fault: Kernel panic")]
    [TestCase(InstanceExitKind.MonitorFault, "monitor fault: Kernel panic")]
    public async Task A_failure_exit_becomes_failed_with_its_reason(InstanceExitKind kind, string reason)
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        vm.End(kind, "Kernel panic");
        var final = await h.WaitForAsync(s => s.State == VmState.Failed);

        Assert.That(final.FailureReason, Is.EqualTo(reason));
        // Supervision ends, and without an exception.
        await h.Supervisor.Completion.WaitAsync(SupervisorHarness.SafetyTimeout);
    }

    [Test]
    public async Task Guest_power_off_stops_the_vm_with_reason_vm_exited()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        vm.End(InstanceExitKind.PowerOff, "acpi s5");
        var final = await h.WaitForAsync(s => s.State == VmState.Stopped);

        Assert.That(final.StopReason, Is.EqualTo(VmStopReason.VmExited));
        Assert.That(final.FailureReason, Is.Null);
    }

    [Test]
    public async Task A_factory_that_throws_fails_the_vm()
    {
        await using var h = new SupervisorHarness();
        h.Factory.CreateFailure = new InvalidOperationException("no /dev/kvm");

        h.Supervisor.Start();
        var final = await h.WaitForAsync(s => s.State == VmState.Failed);

        Assert.That(final.FailureReason, Is.EqualTo("could not build the VM: no /dev/kvm"));
    }

    [Test]
    public async Task A_monitor_that_fails_to_start_fails_the_vm()
    {
        await using var h = new SupervisorHarness();
        h.Factory.Configure = vm => vm.FailStart = true;

        h.Supervisor.Start();
        var final = await h.WaitForAsync(s => s.State == VmState.Failed);

        Assert.That(final.FailureReason, Is.EqualTo("the monitor failed to start: KVM_CREATE_VM failed"));
    }

    [Test]
    public async Task Suspend_and_resume_pause_health_judgement()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        Assert.That(await h.Supervisor.SuspendAsync(), Is.EqualTo(PauseOutcome.Done));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Suspended));
        await h.AdvanceAsync(TimeSpan.FromSeconds(30));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Suspended), "a paused guest cannot beat; not judged");
        Assert.That(await h.Supervisor.SuspendAsync(), Is.EqualTo(PauseOutcome.WrongState), "already suspended");

        Assert.That(await h.Supervisor.ResumeAsync(), Is.EqualTo(PauseOutcome.Done));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Running));
        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Healthy));
        Assert.That(await h.Supervisor.ResumeAsync(), Is.EqualTo(PauseOutcome.WrongState), "not suspended");
        await Eventually.HoldsAsync(() => vm.Calls.Contains("set-time"), SupervisorHarness.SafetyTimeout, () => "the resumed guest's clock was not set");
        Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "pause", "resume", "set-time" }), "the clock is set after the resume");
    }

    [Test]
    public async Task A_pause_the_monitor_fails_is_answered_with_why_and_the_vm_keeps_running()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();
        vm.PauseFailure = new InvalidOperationException("vCPU 1 did not park");

        var outcome = await h.Supervisor.SuspendAsync();

        Assert.That(outcome, Is.EqualTo(new PauseOutcome(PauseResult.MonitorFailed, "vCPU 1 did not park")));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Running));
    }

    [Test]
    public async Task A_throwing_transition_listener_does_not_stop_supervision()
    {
        await using var h = new SupervisorHarness();
        h.Supervisor.Transitioned += (_, _) => throw new InvalidOperationException("signal send failed");

        var vm = await h.StartRunningAsync();
        vm.End(InstanceExitKind.PowerOff, "bye");
        var final = await h.WaitForAsync(s => s.State == VmState.Stopped);

        Assert.That(final.StopReason, Is.EqualTo(VmStopReason.VmExited));
        Assert.That(h.Logs.Events.Any(e => e.MessageTemplate.Text.Contains("listener", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task Transitions_are_logged_with_vm_name_owner_cid_and_state()
    {
        await using var h = new SupervisorHarness();
        await h.StartRunningAsync();

        var running = h.Logs.Events.Single(e => e.Properties.TryGetValue("State", out var s) && s.ToString() == "Running");
        Assert.Multiple(() =>
        {
            Assert.That(running.Properties["VmName"].ToString(), Is.EqualTo("\"dev\""));
            Assert.That(running.Properties["Owner"].ToString(), Is.EqualTo("1000"));
            Assert.That(running.Properties["Cid"].ToString(), Is.EqualTo("32"));
            Assert.That(running.Properties["PreviousState"].ToString(), Is.EqualTo("Starting"));
            Assert.That(running.Properties["Health"].ToString(), Is.EqualTo("Healthy"));
        });
    }
}
