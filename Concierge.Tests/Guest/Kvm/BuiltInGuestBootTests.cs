using Concierge.Service.Registry;
using Concierge.Service.Runtime;
using Concierge.Service.Supervision;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Kvm;

/// <summary>
/// The guest of guest/build.sh (Debian's kernel, our initramfs with concierge-init as PID 1)
/// boots under our KVM monitor through the service's real VM instance: the init connects over
/// virtio-vsock, says hello, beats, runs the host's commands in its container, and powers off
/// when asked.
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed class BuiltInGuestBootTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromMinutes(2);
    private DirectoryInfo _scratch = null!;

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("runtime-guest-");

    [TearDown]
    public void DeleteScratch()
    {
        BuiltInGuest.ReportConsole(_scratch.FullName);
        _scratch.Delete(recursive: true);
    }

    [Test]
    public async Task BootsSaysHelloAndHeartbeatsOverVsock()
    {
        var factory = new KvmVmInstanceFactory(BuiltInGuest.Options(), BuiltInGuest.Log());
        var definition = new VmDefinition { HeartbeatInterval = TimeSpan.FromMilliseconds(200), MemoryMiB = 256 };
        await using var instance = factory.Create(BuiltInGuest.Launch(definition, cid: 41, _scratch.FullName));
        await instance.StartAsync(CancellationToken.None);
        await using var events = new GuestEvents(instance);

        var seen = await events.WaitForAsync(e => e.OfType<GuestHeartbeat>().Count() >= 3, BootTimeout, "hello and three heartbeats");

        Assert.That(seen[0], Is.InstanceOf<GuestHello>(), "hello comes first");
        Assert.That(((GuestHello)seen[0]).KernelVersion, Is.EqualTo(BuiltInGuest.KernelRelease));
        Assert.That(seen.OfType<GuestHeartbeat>().Select(h => h.Sequence).ToList(), Is.Ordered.Ascending.And.Unique);
        await instance.StopMonitorAsync(CancellationToken.None);
        var exit = await instance.Exited.WaitAsync(ExitTimeout);
        Assert.That(exit.Kind, Is.EqualTo(InstanceExitKind.MonitorStopped), exit.Detail);
    }

    [Test]
    public async Task BootsSaysHelloBeatsAndPowersOffWhenAsked()
    {
        var factory = new KvmVmInstanceFactory(BuiltInGuest.Options(), BuiltInGuest.Log());
        var definition = new VmDefinition { HeartbeatInterval = TimeSpan.FromMilliseconds(200), MemoryMiB = 256 };
        await using var instance = factory.Create(BuiltInGuest.Launch(definition, cid: 40, _scratch.FullName));
        await instance.StartAsync(CancellationToken.None);
        await using var events = new GuestEvents(instance);

        var seen = await events.WaitForAsync(e => e.OfType<GuestHeartbeat>().Count() >= 3, BootTimeout, "hello and three heartbeats");

        Assert.That(seen[0], Is.InstanceOf<GuestHello>(), "hello comes first");
        Assert.That(((GuestHello)seen[0]).KernelVersion, Is.EqualTo(BuiltInGuest.KernelRelease));
        var sequences = seen.OfType<GuestHeartbeat>().Select(h => h.Sequence).ToList();
        Assert.That(sequences, Is.Ordered.Ascending.And.Unique);
        var vitals = seen.OfType<GuestHeartbeat>().Last().Vitals;
        Assert.Multiple(() =>
        {
            Assert.That(vitals.Uptime, Is.GreaterThan(TimeSpan.Zero));
            Assert.That(vitals.MemoryTotalBytes, Is.InRange(128UL << 20, 256UL << 20), "MemTotal of a 256 MiB guest");
            Assert.That(vitals.MemoryAvailableBytes, Is.InRange(1UL, vitals.MemoryTotalBytes));
            Assert.That(vitals.Load1, Is.GreaterThanOrEqualTo(0));
        });

        await instance.RequestGuestShutdownAsync(CancellationToken.None);
        var exit = await instance.Exited.WaitAsync(ExitTimeout);

        Assert.That(exit.Kind, Is.EqualTo(InstanceExitKind.PowerOff), exit.Detail);
        Assert.That(File.ReadAllText(Path.Combine(_scratch.FullName, "console.log")), Does.Contain("concierge-init: starting on kernel"),
            "the serial console (where the init logs) went to the VM's console log");
    }

    [Test]
    public async Task ExecRunsInTheContainerAsItsOwnPidNamespace()
    {
        var factory = new KvmVmInstanceFactory(BuiltInGuest.Options(), BuiltInGuest.Log());
        var definition = new VmDefinition
        {
            RootfsPath = BuiltInGuest.CopyRootfs(_scratch.FullName),
            KernelParams = ["concierge.config=/etc/concierge/app.json"],
            MemoryMiB = 256,
        };
        var launch = BuiltInGuest.Launch(definition, cid: 41, _scratch.FullName);
        await using var instance = factory.Create(launch);
        await instance.StartAsync(CancellationToken.None);
        await using var events = new GuestEvents(instance);
        await events.WaitForAsync(e => e.OfType<GuestHello>().Any(), BootTimeout, "hello");
        IGuestCommands guest = instance;

        var hostname = await ExecWhenContainerRunsAsync(guest, ["hostname"]);
        var pid1 = await guest.ExecAsync(new GuestExecRequest(["cat", "/proc/1/cmdline"]), CancellationToken.None);
        var uid = await guest.ExecAsync(new GuestExecRequest(["id", "-u"]), CancellationToken.None);
        var failing = await guest.ExecAsync(new GuestExecRequest(["sh", "-c", "echo oops >&2; exit 7"]), CancellationToken.None);
        var bounded = await guest.ExecAsync(new GuestExecRequest(["sh", "-c", "yes | head -c 100000"]) { OutputLimitBytes = 1000 }, CancellationToken.None);
        var missing = await guest.ExecAsync(new GuestExecRequest(["/no/such/program"]), CancellationToken.None);
        await guest.SetTimeAsync(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero), CancellationToken.None);
        var year = await guest.ExecAsync(new GuestExecRequest(["date", "-u", "+%Y"]), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(Text(hostname.Stdout), Is.EqualTo("concierge-app"), "the container's own UTS namespace");
            Assert.That(Text(pid1.Stdout).Replace('\0', ' ').Trim(), Is.EqualTo("sleep 3600"),
                "PID 1 in the command's PID namespace is the container's app (its shell exec'd its last command), not the guest init");
            Assert.That(Text(uid.Stdout), Is.EqualTo("1000"));
            Assert.That((failing.Status, failing.Code, Text(failing.Stderr)), Is.EqualTo((GuestExecStatus.Exited, 7, "oops")));
            Assert.That(bounded.Stdout, Has.Length.EqualTo(1000));
            Assert.That(bounded.StdoutTruncated, Is.True);
            Assert.That((missing.Status, missing.Code), Is.Not.EqualTo((GuestExecStatus.Exited, 0)), "a program that does not exist does not succeed");
            Assert.That(Text(year.Stdout), Is.EqualTo("2031"), "SetTime set the guest's clock");
        });

        await instance.RequestGuestShutdownAsync(CancellationToken.None);
        var exit = await instance.Exited.WaitAsync(ExitTimeout);
        Assert.That(exit.Kind, Is.EqualTo(InstanceExitKind.PowerOff), exit.Detail);
        Assert.That(() => guest.ExecAsync(new GuestExecRequest(["true"]), CancellationToken.None), Throws.InstanceOf<GuestLinkUnavailableException>());
    }

    /// <summary>The container starts shortly after the init says hello; until then Exec reports it is not running.</summary>
    private static async Task<GuestExecResult> ExecWhenContainerRunsAsync(IGuestCommands guest, IReadOnlyList<string> argv)
    {
        var deadline = DateTime.UtcNow + BootTimeout;
        while (true)
        {
            var result = await guest.ExecAsync(new GuestExecRequest(argv), CancellationToken.None);
            if (result.Status != GuestExecStatus.Failed || DateTime.UtcNow > deadline)
            {
                Assert.That(result.Status, Is.EqualTo(GuestExecStatus.Exited), result.Error);
                return result;
            }
            await Task.Delay(200);
        }
    }

    private static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes).Trim();
}
