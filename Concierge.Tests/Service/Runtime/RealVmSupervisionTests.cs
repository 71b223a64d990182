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
        var definition = new VmDefinition { HeartbeatInterval = TimeSpan.FromMilliseconds(250), MemoryMiB = 256 };
        var (supervisor, _, transitions) = Supervise(definition, cid: 50);
        await using (supervisor)
        {
            supervisor.Start();
            await WaitAsync(supervisor, s => s.State == VmState.Running && s.Health == VmHealth.Healthy, "running and healthy");
            var running = supervisor.Snapshot;

            Assert.That(await supervisor.SuspendAsync(), Is.True, "Suspend parks the vCPUs");
            var suspended = supervisor.Snapshot;
            Assert.That((suspended.State, suspended.Health), Is.EqualTo((VmState.Suspended, VmHealth.Unknown)));
            var resumedAt = DateTimeOffset.UtcNow;
            Assert.That(await supervisor.ResumeAsync(), Is.True, "Resume lets them run again");
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
        const string FreezeInit = """
            mount -t cgroup2 none /sys/fs/cgroup || exit 10
            mkdir /sys/fs/cgroup/stall && echo 1 > /sys/fs/cgroup/stall/cgroup.procs || exit 11
            echo 1 > /sys/fs/cgroup/stall/cgroup.freeze || exit 12
            sleep 6
            echo 0 > /sys/fs/cgroup/stall/cgroup.freeze
            echo thawed
            """;
        var definition = new VmDefinition
        {
            RootfsPath = BuiltInGuest.CopyRootfs(_scratch.FullName),
            HeartbeatInterval = TimeSpan.FromMilliseconds(250),
            MissedHeartbeats = 3,
            MemoryMiB = 256,
        };
        var (supervisor, factory, transitions) = Supervise(definition, cid: 51);
        await using (supervisor)
        {
            supervisor.Start();
            await WaitAsync(supervisor, s => s.Health == VmHealth.Healthy, "healthy");
            var guest = factory.GuestCommandsFor(supervisor.Key)!;

            // The busybox disk is mounted at /mnt/rootfs in the guest; its applets are the shell's PATH.
            var freeze = guest.ExecAsync(new GuestExecRequest(["/mnt/rootfs/bin/busybox", "sh", "-c", FreezeInit])
            {
                Environment = new Dictionary<string, string> { ["PATH"] = "/mnt/rootfs/bin" },
            }, CancellationToken.None);
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

    private (VmSupervisor Supervisor, KvmVmInstanceFactory Factory, List<VmTransition> Transitions) Supervise(VmDefinition definition, uint cid)
    {
        var log = BuiltInGuest.Log();
        var factory = new KvmVmInstanceFactory(BuiltInGuest.Options(), log);
        var supervisor = new VmSupervisor(new VmKey(1000, "test"), cid, definition, Path.Combine(_scratch.FullName, "console.log"),
            factory, new SupervisorOptions(), TimeProvider.System, log);
        var transitions = new List<VmTransition>();
        supervisor.Transitioned += (_, transition) =>
        {
            lock (transitions)
            {
                transitions.Add(transition);
            }
        };
        return (supervisor, factory, transitions);
    }

    private static async Task WaitAsync(VmSupervisor supervisor, Func<VmStatusSnapshot, bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await supervisor.WaitForAsync(condition, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the VM was not {what} within {Timeout}; now {supervisor.Snapshot}");
        }
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
