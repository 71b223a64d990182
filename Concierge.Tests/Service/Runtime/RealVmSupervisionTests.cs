using Concierge.Service.Registry;
using Concierge.Service.Runtime;
using Concierge.Service.Supervision;
using Concierge.Tests.Guest.Kvm;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Service.Runtime;

/// <summary>
/// The supervisor driving the real instance (our monitor, the built-in guest, the host link over
/// virtio-vsock): the lifecycle as the D-Bus API reports it, and a guest whose agent really hangs.
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed class RealVmSupervisionTests
{
    // Boots in the emulated sandbox on a loaded machine have taken over a minute; tests never assert speed.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private DirectoryInfo _scratch = null!;

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("runtime-supervision-");

    [TearDown]
    public void DeleteScratch()
    {
        BuiltInGuest.ReportConsole(_scratch.FullName);
        _scratch.Delete(recursive: true);
    }

    [Test]
    public async Task StartingRunningHealthyThenStoppedByAskingTheGuest()
    {
        var definition = new VmDefinition { HeartbeatInterval = TimeSpan.FromMilliseconds(250), MemoryMiB = 256, StartupTimeout = Timeout };
        var (supervisor, transitions) = Supervise(definition, cid: 50);
        await using (supervisor)
        {
            supervisor.Start();
            await WaitAsync(supervisor, s => s.State == VmState.Running && s.Health == VmHealth.Healthy, "running and healthy");
            var running = supervisor.Snapshot;

            Assert.That(await supervisor.SuspendAsync(), Is.EqualTo(PauseOutcome.Done), "Suspend parks the vCPUs");
            var suspended = supervisor.Snapshot;
            Assert.That((suspended.State, suspended.Health), Is.EqualTo((VmState.Suspended, VmHealth.Unknown)));
            var resumedAt = DateTimeOffset.UtcNow;
            Assert.That(await supervisor.ResumeAsync(), Is.EqualTo(PauseOutcome.Done), "Resume lets them run again");
            var resumed = supervisor.Snapshot;
            Assert.That((resumed.State, resumed.Health), Is.EqualTo((VmState.Running, VmHealth.Healthy)));
            await WaitAsync(supervisor, s => s.State == VmState.Running && s.LastHeartbeatAt > resumedAt,
                "running with the guest beating again after resume");

            await supervisor.StopAsync().WaitAsync(Timeout);

            var final = supervisor.Snapshot;
            Assert.Multiple(() =>
            {
                Assert.That(running.KernelVersion, Is.EqualTo(BuiltInGuest.KernelRelease));
                Assert.That(running.BootDuration, Is.Not.Null);
                Assert.That(final.State, Is.EqualTo(VmState.Stopped), final.FailureReason);
                Assert.That(final.StopReason, Is.EqualTo(VmStopReason.StopRequested));
                Assert.That(States(transitions), Is.EqualTo(new[]
                {
                    VmState.Starting, VmState.Running, VmState.Suspended, VmState.Running, VmState.Stopping, VmState.Stopped,
                }));
            });
        }
    }

    /// <summary>
    /// Exec, as root in the guest (no container: the default init config), moves the guest init
    /// into a cgroup and freezes it for a while: the real agent stops, heartbeats stop, the VM
    /// turns unresponsive within the configured bound, and healthy again once thawed.
    /// </summary>
    [Test]
    public async Task FrozenGuestInitTurnsUnresponsiveThenRecovers()
    {
        var (supervisor, transitions) = Supervise(FreezableGuest(), cid: 51);
        await using (supervisor)
        {
            supervisor.Start();
            await WaitAsync(supervisor, s => s.Health == VmHealth.Healthy, "healthy");

            var freeze = FreezeGuestInit(supervisor, TimeSpan.FromSeconds(8));
            await WaitForFrozenInitAsync();
            await WaitAsync(supervisor, s => s.Health == VmHealth.Unresponsive, "unresponsive while the init is frozen");
            await WaitAsync(supervisor, s => s.Health == VmHealth.Healthy, "healthy again after the thaw");
            var result = await freeze.WaitAsync(Timeout);

            Assert.That((result.Status, result.Code), Is.EqualTo((GuestExecStatus.Exited, 0)), System.Text.Encoding.UTF8.GetString(result.Stderr));
            Assert.That(System.Text.Encoding.UTF8.GetString(result.Stdout).Trim(), Is.EqualTo("thawed"));
            Assert.That(transitions.Select(t => t.Current.Health).Distinct(), Is.SupersetOf(new[] { VmHealth.Healthy, VmHealth.Unresponsive }));
            await supervisor.StopAsync().WaitAsync(Timeout);
            Assert.That(supervisor.Snapshot.State, Is.EqualTo(VmState.Stopped), supervisor.Snapshot.FailureReason);
        }
    }

    /// <summary>With RestartOnUnresponsive, a guest whose init stays frozen is taken down and booted again.</summary>
    [Test]
    public async Task UnresponsiveGuestIsRestartedByItsPolicy()
    {
        var definition = FreezableGuest() with { RestartPolicy = RestartPolicy.OnUnresponsive };
        var (supervisor, transitions) = Supervise(definition, cid: 52);
        await using (supervisor)
        {
            supervisor.Start();
            await WaitAsync(supervisor, s => s.Health == VmHealth.Healthy, "healthy");

            _ = FreezeGuestInit(supervisor, TimeSpan.FromMinutes(10));
            await WaitAsync(supervisor, s => s.RestartCount == 1 && s.Health == VmHealth.Healthy, "restarted and healthy");

            List<VmTransition> seen;
            lock (transitions)
            {
                seen = [.. transitions];
            }
            Assert.That(seen.Select(t => t.Current.StopReason), Does.Contain(VmStopReason.Unresponsive));
            await supervisor.StopAsync().WaitAsync(Timeout);
            Assert.That(supervisor.Snapshot.State, Is.EqualTo(VmState.Stopped), supervisor.Snapshot.FailureReason);
        }
    }

    /// <summary>
    /// A guest that cannot answer the shutdown request (its init frozen) is stopped all the same:
    /// after the grace the supervisor stops the monitor.
    /// </summary>
    [Test]
    public async Task StopEscalatesToTheMonitorWhenTheGuestIgnoresShutdown()
    {
        var options = new SupervisorOptions { GuestShutdownGrace = TimeSpan.FromSeconds(3) };
        var (supervisor, transitions) = Supervise(FreezableGuest(), cid: 53, options);
        await using (supervisor)
        {
            supervisor.Start();
            await WaitAsync(supervisor, s => s.Health == VmHealth.Healthy, "healthy");
            _ = FreezeGuestInit(supervisor, TimeSpan.FromMinutes(10));
            await WaitForFrozenInitAsync();

            await supervisor.StopAsync().WaitAsync(Timeout);

            var final = supervisor.Snapshot;
            var console = File.ReadAllText(Path.Combine(_scratch.FullName, "console.log"));
            Assert.Multiple(() =>
            {
                Assert.That(final.State, Is.EqualTo(VmState.Stopped), final.FailureReason);
                Assert.That(final.StopReason, Is.EqualTo(VmStopReason.StopRequested));
                Assert.That(console, Does.Not.Contain("the host asked for shutdown"), "the frozen init cannot have heard the request");
                Assert.That(States(transitions), Is.EqualTo(new[] { VmState.Starting, VmState.Running, VmState.Stopping, VmState.Stopped }));
            });
        }
    }

    /// <summary>A guest that shuts itself down (SIGTERM to its init) ends the VM as stopped, reason VmExited.</summary>
    [Test]
    public async Task GuestThatShutsItselfDownEndsStoppedWithVmExited()
    {
        var (supervisor, transitions) = Supervise(FreezableGuest(), cid: 54);
        await using (supervisor)
        {
            supervisor.Start();
            await WaitAsync(supervisor, s => s.Health == VmHealth.Healthy, "healthy");

            // The reply may or may not make it out before the link goes down with the guest.
            _ = RunInGuest(supervisor, "kill -TERM 1");
            await supervisor.Completion.WaitAsync(Timeout);

            var final = supervisor.Snapshot;
            var console = File.ReadAllText(Path.Combine(_scratch.FullName, "console.log"));
            Assert.Multiple(() =>
            {
                Assert.That(final.State, Is.EqualTo(VmState.Stopped), final.FailureReason);
                Assert.That(final.StopReason, Is.EqualTo(VmStopReason.VmExited));
                Assert.That(console, Does.Contain("powering off"));
                Assert.That(States(transitions), Is.EqualTo(new[] { VmState.Starting, VmState.Running, VmState.Stopped }));
            });
        }
    }

    /// <summary>
    /// A guest whose init never calls the host (concierge.host=none) fails at the startup timeout,
    /// and the failure says what the VM showed: its console (or that it stayed silent) and each
    /// vCPU's exits. The unit tests pin the wording of each case; this is the real monitor's view.
    /// </summary>
    [Test]
    public async Task AGuestThatNeverSaysHelloFailsWithWhatTheVmShowed()
    {
        var definition = new VmDefinition { MemoryMiB = 256, StartupTimeout = TimeSpan.FromSeconds(90), KernelParams = ["concierge.host=none"] };
        var (supervisor, _) = Supervise(definition, cid: 55);
        await using (supervisor)
        {
            supervisor.Start();
            await supervisor.Completion.WaitAsync(Timeout);

            var final = supervisor.Snapshot;
            Assert.That(final.State, Is.EqualTo(VmState.Failed), final.FailureReason);
            Assert.That(final.FailureReason, Does.Match(
                @"^the guest did not say hello within 90 s; (the console's last line: "".+""|no output at all from the kernel on the serial console); vcpu0: \d+ exits, the last "));
        }
    }

    /// <summary>The busybox test disk (mounted at /mnt/rootfs in the guest) gives Exec a shell.</summary>
    private VmDefinition FreezableGuest() => new()
    {
        RootfsPath = BuiltInGuest.CopyRootfs(_scratch.FullName),
        // 2 s without a heartbeat: a loaded emulated sandbox has delayed single beats by over 1 s.
        HeartbeatInterval = TimeSpan.FromMilliseconds(250),
        MissedHeartbeats = 8,
        MemoryMiB = 256,
        StartupTimeout = Timeout,
    };

    /// <summary>
    /// Moves the guest init into a cgroup and freezes it for <paramref name="duration"/>: the real
    /// agent stops, so no heartbeats and no answers on the link. The exec'd shell is not frozen; it
    /// writes <see cref="FrozenMarker"/> to the console once the freeze holds (the exec's own reply
    /// needs the init, so it comes only after the thaw).
    /// </summary>
    private static Task<GuestExecResult> FreezeGuestInit(VmSupervisor supervisor, TimeSpan duration) =>
        RunInGuest(supervisor, $"""
            mount -t cgroup2 none /sys/fs/cgroup || exit 10
            mkdir /sys/fs/cgroup/stall && echo 1 > /sys/fs/cgroup/stall/cgroup.procs || exit 11
            echo 1 > /sys/fs/cgroup/stall/cgroup.freeze || exit 12
            waited=0
            until grep -q "frozen 1" /sys/fs/cgroup/stall/cgroup.events; do
              waited=$((waited + 1))
              # Still not frozen: name the init's threads that hold it up (state, kernel wait channel).
              [ $((waited % 30)) -eq 0 ] && for task in /proc/1/task/*; do
                echo "{FreezeStuckMarker} after $waited s: $(cat $task/comm) $(cut -d' ' -f3 $task/stat) $(cat $task/wchan)"
              done > /dev/console
              sleep 1
            done
            echo {FrozenMarker} > /dev/console
            sleep {(int)duration.TotalSeconds}
            echo 0 > /sys/fs/cgroup/stall/cgroup.freeze
            echo thawed
            """);

    private const string FrozenMarker = "TEST-GUEST-INIT-FROZEN";
    private const string FreezeStuckMarker = "TEST-GUEST-INIT-NOT-FROZEN";

    /// <summary>Waits for the freeze of <see cref="FreezeGuestInit"/> to hold.</summary>
    private Task WaitForFrozenInitAsync()
    {
        var console = Path.Combine(_scratch.FullName, "console.log");
        return Eventually.HoldsAsync(() => File.Exists(console) && File.ReadAllText(console).Contains(FrozenMarker, StringComparison.Ordinal),
            Timeout, () => $"the guest init was not frozen within {Timeout}");
    }

    private static Task<GuestExecResult> RunInGuest(VmSupervisor supervisor, string script) =>
        supervisor.RunningGuest!.ExecAsync(new GuestExecRequest(["/mnt/rootfs/bin/busybox", "sh", "-c", script])
        {
            Environment = new Dictionary<string, string> { ["PATH"] = "/mnt/rootfs/bin" },
        }, CancellationToken.None);

    private (VmSupervisor Supervisor, List<VmTransition> Transitions) Supervise(
        VmDefinition definition, uint cid, SupervisorOptions? options = null)
    {
        var log = BuiltInGuest.Log();
        var factory = new KvmVmInstanceFactory(BuiltInGuest.Options(), log);
        var supervisor = new VmSupervisor(new VmKey(1000, "test"), cid, definition, Path.Combine(_scratch.FullName, "console.log"),
            factory, options ?? new SupervisorOptions(), TimeProvider.System, log);
        var transitions = new List<VmTransition>();
        supervisor.Transitioned += (_, transition) =>
        {
            lock (transitions)
            {
                transitions.Add(transition);
            }
        };
        return (supervisor, transitions);
    }

    private async Task WaitAsync(VmSupervisor supervisor, Func<VmStatusSnapshot, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await supervisor.WaitForAsync(condition, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the VM was not {what} within {Timeout}; now {supervisor.Snapshot}\nthe end of its console:\n{ConsoleTail()}");
        }
    }

    private string ConsoleTail()
    {
        var console = Path.Combine(_scratch.FullName, "console.log");
        return File.Exists(console) ? string.Join('\n', File.ReadLines(console).TakeLast(40)) : "(no console log)";
    }

    private static List<VmState> States(List<VmTransition> transitions)
    {
        lock (transitions)
        {
            var states = transitions.Where(t => t.StateChanged).Select(t => t.Current.State).ToList();
            return states;
        }
    }
}
