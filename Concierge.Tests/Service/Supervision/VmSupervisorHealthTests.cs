using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using NUnit.Framework;

namespace Concierge.Tests.Service.Supervision;

[TestFixture, Category("Unit")]
public sealed class VmSupervisorHealthTests
{
    [Test]
    public async Task Heartbeats_in_time_keep_the_guest_healthy()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        for (ulong beat = 1; beat <= 20; beat++)
        {
            await h.AdvanceAsync(TimeSpan.FromSeconds(2));
            await vm.HeartbeatAsync(beat);
            await h.SyncAsync();
        }

        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Healthy));
        Assert.That(h.Snapshot.LastHeartbeatAt, Is.EqualTo(h.Time.GetUtcNow()));
        Assert.That(h.Transitions.Select(t => t.Current.Health), Has.None.EqualTo(VmHealth.Unresponsive));
        // Heartbeats refresh the status silently: only Starting and Running were raised.
        Assert.That(h.Transitions, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Each_heartbeat_shows_the_guests_vitals_and_gaps_in_its_numbers_count_as_missed()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        await vm.HeartbeatAsync(1);
        await vm.HeartbeatAsync(2);
        await h.SyncAsync();
        Assert.That(h.Snapshot.HeartbeatsMissed, Is.Zero, "the first beat is the baseline");
        await vm.HeartbeatAsync(5);
        await vm.HeartbeatAsync(6);
        await h.SyncAsync();

        Assert.Multiple(() =>
        {
            Assert.That(h.Snapshot.HeartbeatsMissed, Is.EqualTo(2), "3 and 4 never came");
            Assert.That(h.Snapshot.GuestVitals?.Uptime, Is.EqualTo(TimeSpan.FromSeconds(6)));
            Assert.That(h.Snapshot.GuestVitals?.MemoryTotalBytes, Is.EqualTo(480UL << 20));
        });
    }

    [Test]
    public async Task A_sequence_that_starts_over_sets_a_new_baseline_and_leaps_saturate()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        await vm.HeartbeatAsync(100);
        await vm.HeartbeatAsync(1);
        await h.SyncAsync();
        Assert.That(h.Snapshot.HeartbeatsMissed, Is.Zero, "a guest init that started over numbers from 1 again");
        await vm.HeartbeatAsync(ulong.MaxValue);
        await vm.HeartbeatAsync(2);
        await vm.HeartbeatAsync(ulong.MaxValue);
        await h.SyncAsync();
        Assert.That(h.Snapshot.HeartbeatsMissed, Is.EqualTo(ulong.MaxValue), "a hostile guest's leaps saturate");
    }

    [Test]
    public async Task A_health_deadline_that_fires_before_the_wall_clock_says_due_is_armed_again()
    {
        await using var h = new SupervisorHarness();
        await h.StartRunningAsync();

        // The wall clock a little behind the timers' clock (as when a timer fires a tick early),
        // and no heartbeat after the hello: the guest must still turn unresponsive.
        h.Time.AdjustTime(h.Time.GetUtcNow() - TimeSpan.FromMilliseconds(10));
        await h.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Healthy), "3 s by the timers is 2.99 s by the wall clock");
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(10));
        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Unresponsive));
    }

    [Test]
    public async Task Missed_heartbeats_make_the_guest_unresponsive_and_a_heartbeat_makes_it_healthy_again()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        // Three intervals of one second may be missed: at 2.999 s still healthy, at 3 s not.
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(2999));
        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Healthy));
        await h.AdvanceAsync(TimeSpan.FromMilliseconds(1));
        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Unresponsive));
        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Running), "policy Never: unresponsive guests are reported, not stopped");

        await vm.HeartbeatAsync(7);
        await h.SyncAsync();
        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Healthy));

        Assert.That(h.Transitions.Select(t => t.Current.Health),
            Is.EqualTo(new[] { VmHealth.Unknown, VmHealth.Healthy, VmHealth.Unresponsive, VmHealth.Healthy }));
        Assert.That(h.Logs.Events.Any(e => e.Level == Serilog.Events.LogEventLevel.Warning
            && e.Properties["Health"].ToString() == "Unresponsive"), Is.True);
    }

    [Test]
    public async Task A_heartbeat_restarts_the_missed_interval_count()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartRunningAsync();

        await h.AdvanceAsync(TimeSpan.FromSeconds(2.5));
        await vm.HeartbeatAsync(1);
        await h.SyncAsync();
        await h.AdvanceAsync(TimeSpan.FromSeconds(2.5));

        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Healthy), "5 s since start but only 2.5 s since the last beat");
        await h.AdvanceAsync(TimeSpan.FromSeconds(0.5));
        Assert.That(h.Snapshot.Health, Is.EqualTo(VmHealth.Unresponsive));
    }

    [Test]
    public async Task Heartbeats_before_the_hello_do_not_make_the_vm_running()
    {
        await using var h = new SupervisorHarness();
        var vm = await h.StartAsync();

        await vm.HeartbeatAsync(1);
        await h.SyncAsync();

        Assert.That(h.Snapshot.State, Is.EqualTo(VmState.Starting));
    }

    [Test]
    public async Task On_unresponsive_policy_stops_a_hung_guest_and_restarts_it()
    {
        var definition = new VmDefinition { KernelPath = "k", RestartPolicy = RestartPolicy.OnUnresponsive };
        await using var h = new SupervisorHarness(definition);
        var vm = await h.StartRunningAsync();

        await h.AdvanceAsync(TimeSpan.FromSeconds(3));
        var failed = await h.WaitForAsync(s => s.State == VmState.Failed);

        Assert.Multiple(() =>
        {
            Assert.That(failed.StopReason, Is.EqualTo(VmStopReason.Unresponsive));
            Assert.That(failed.FailureReason, Is.EqualTo("no heartbeat for 3 s"));
            Assert.That(failed.RestartDelay, Is.EqualTo(TimeSpan.FromSeconds(1)));
            // A hung guest is not asked: straight to stopping the monitor.
            Assert.That(vm.Calls, Is.EqualTo(new[] { "start", "stop-monitor", "dispose" }));
        });

        await h.AdvanceUntilAsync(() => h.Factory.CreatedCount == 2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
        var restarted = await h.Factory.NextAsync();
        Assert.That(restarted, Is.Not.SameAs(vm));
        Assert.That(restarted.Launch.Attempt, Is.EqualTo(1));
        await h.WaitForAsync(s => s.State == VmState.Starting && s.RestartCount == 1);
    }
}
