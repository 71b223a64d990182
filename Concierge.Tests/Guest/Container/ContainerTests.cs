using System.Diagnostics;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Container;

/// <summary>
/// The container launcher for real: concierge-init container-run / container-exec started
/// as child processes over a busybox root, checked from inside and from the host.
/// </summary>
[TestFixture, Category("Guest")]
public sealed class ContainerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private BusyboxRoot _root = null!;

    [SetUp]
    public void SetUp()
    {
        GuestBinary.RequireRoot();
        _root = new BusyboxRoot();
    }

    [TearDown]
    public void TearDown() => _root.Dispose();

    [Test]
    public async Task AppIsPid1OfItsOwnPidNamespace()
    {
        var (exit, stdout, stderr) = await RunAsync(_root.WriteSpec(), "sh", "-c", "echo $$");
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Trim(), Is.EqualTo("1"));
    }

    [Test]
    public async Task HostProcessesAreInvisible()
    {
        var (exit, stdout, stderr) = await RunAsync(_root.WriteSpec(), "sh", "-c", "ls /proc; echo done");
        Assert.That(exit, Is.Zero, stderr);
        var pids = stdout.Split('\n').Where(line => line.Length > 0 && line.All(char.IsAsciiDigit)).Select(int.Parse).ToList();
        // Only the app (sh, PID 1) and its ls: the host's hundreds of processes are not there.
        Assert.That(pids, Has.Count.LessThanOrEqualTo(2).And.Contains(1), stdout);
        Assert.That(pids, Does.Not.Contain(Environment.ProcessId));
    }

    [Test]
    public async Task HostnameIsTheContainersOwn()
    {
        var (exit, stdout, stderr) = await RunAsync(_root.WriteSpec(), "hostname");
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Trim(), Is.EqualTo("testbox"));
        Assert.That(File.ReadAllText("/proc/sys/kernel/hostname").Trim(), Is.Not.EqualTo("testbox"), "the host's name must not change");
    }

    [Test]
    public async Task HostSysVIpcObjectsAreInvisible()
    {
        var shmid = await MakeHostSharedMemoryAsync();
        try
        {
            Assert.That(File.ReadAllText("/proc/sysvipc/shm"), Does.Match($@"\s{shmid}\s"), "the host sees its own segment");
            var (exit, stdout, stderr) = await RunAsync(_root.WriteSpec(), "cat", "/proc/sysvipc/shm");
            Assert.That(exit, Is.Zero, stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines, Has.Length.EqualTo(1), $"only the header line, no segments:\n{stdout}");
        }
        finally
        {
            using var remove = Process.Start("ipcrm", ["-m", shmid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await remove.WaitForExitAsync();
        }
    }

    [Test]
    public async Task NetworkHasOnlyLoopbackAndItIsUp()
    {
        var (exit, stdout, stderr) = await RunAsync(_root.WriteSpec(), "sh", "-c", "cat /proc/net/dev; ip -o link");
        Assert.That(exit, Is.Zero, stderr);
        var devices = stdout.Split('\n').Where(line => line.Contains(':', StringComparison.Ordinal) && !line.Contains('|', StringComparison.Ordinal)
            && !line.Contains("link/", StringComparison.Ordinal)).Select(line => line.Split(':')[0].Trim()).ToList();
        Assert.That(string.Join(',', devices), Is.EqualTo("lo"), stdout);
        Assert.That(stdout, Does.Match(@"lo: <LOOPBACK,UP"), "loopback is up");
    }

    [Test]
    public async Task MountsInsideDoNotLeakToTheHost()
    {
        using var app = GuestBinary.Start("container-run", "--spec", _root.WriteSpec("""
            "capabilities": ["CAP_SYS_ADMIN"]
            """), "--", "sh", "-c", "mount -t tmpfs leakcheck /mnt && touch /mnt/inside && echo mounted && sleep 2");
        await GuestBinary.ReadUntilAsync(app.StandardOutput, "mounted", Timeout);
        // The container is running with its /proc, /dev, /tmp, the pivot and the tmpfs mounted.
        var hostMounts = await File.ReadAllTextAsync("/proc/self/mountinfo");
        Assert.That(hostMounts, Does.Not.Contain("leakcheck"));
        Assert.That(hostMounts, Does.Not.Contain(_root.Directory));
        Assert.That(File.Exists(Path.Combine(_root.Directory, "mnt", "inside")), Is.False, "the file went to the container's tmpfs");
        await app.WaitForExitAsync();
        Assert.That(app.ExitCode, Is.Zero, await app.StandardError.ReadToEndAsync());
    }

    [Test]
    public async Task UidGidRlimitsApplyAndCapabilitiesAreDropped()
    {
        var spec = _root.WriteSpec("""
            "uid": 1234, "gid": 2345, "rlimits": [{ "resource": "nofile", "soft": 50, "hard": 60 }]
            """);
        var (exit, stdout, stderr) = await RunAsync(spec, "sh", "-c", "id -u; id -g; id -G; ulimit -n; ulimit -Hn; grep -E 'Cap(Eff|Prm|Bnd|Amb)|NoNewPrivs' /proc/self/status");
        Assert.That(exit, Is.Zero, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(string.Join(',', lines[..5]), Is.EqualTo("1234,2345,2345,50,60"), stdout);
        Assert.That(stdout, Does.Match(@"CapEff:\s+0+\n"));
        Assert.That(stdout, Does.Match(@"CapPrm:\s+0+\n"));
        Assert.That(stdout, Does.Match(@"CapBnd:\s+0+\n"));
        Assert.That(stdout, Does.Match(@"NoNewPrivs:\s+1"));
    }

    [Test]
    public async Task RootInTheContainerKeepsOnlyTheConfiguredCapabilities()
    {
        var (exit, stdout, stderr) = await RunAsync(_root.WriteSpec("""
            "capabilities": ["CAP_NET_BIND_SERVICE"]
            """), "grep", "-E", "Cap(Eff|Bnd)", "/proc/self/status");
        Assert.That(exit, Is.Zero, stderr);
        // CAP_NET_BIND_SERVICE is bit 10.
        Assert.That(stdout, Does.Match(@"CapEff:\s+0+400\n"));
        Assert.That(stdout, Does.Match(@"CapBnd:\s+0+400\n"));
    }

    [Test]
    public async Task FailingStepIsNamed()
    {
        var (exit, _, stderr) = await RunAsync(_root.WriteSpec(), "/bin/no-such-program");
        Assert.That(exit, Is.EqualTo(125));
        Assert.That(stderr, Does.Contain("execute /bin/no-such-program").And.Contain("No such file"));
    }

    [Test]
    public async Task MissingRootIsReportedBeforeAnythingStarts()
    {
        var spec = _root.WriteSpec();
        await File.WriteAllTextAsync(spec, """{ "rootFs": "/nonexistent/root" }""");
        var (exit, _, stderr) = await RunAsync(spec, "sh");
        Assert.That(exit, Is.EqualTo(125));
        Assert.That(stderr, Does.Contain("container root /nonexistent/root does not exist"));
    }

    [Test]
    public async Task ExecJoinsTheRunningContainer()
    {
        var spec = _root.WriteSpec("""
            "uid": 1234, "gid": 2345
            """);
        var pidFile = Path.Combine(_root.Directory, "..", Path.GetFileName(_root.Directory) + ".pid");
        using var app = GuestBinary.Start("container-run", "--spec", spec, "--pid-file", pidFile, "--", "sleep", "30");
        try
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (!File.Exists(pidFile) || (await File.ReadAllTextAsync(pidFile)).Length == 0)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the launcher never wrote its pid file");
                await Task.Delay(20);
            }
            var target = (await File.ReadAllTextAsync(pidFile)).Trim();
            var (exit, stdout, stderr) = await GuestBinary.RunAsync(Timeout, "container-exec", "--spec", spec, "--target", target, "--env", "GREETING=hi",
                "--", "sh", "-c", "hostname; id -u; echo $GREETING; cat /proc/1/cmdline");
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Is.EqualTo("testbox\n1234\nhi\nsleep\u000030\u0000"));
        }
        finally
        {
            // SIGKILL of stage 1 takes the app with it (parent-death signal).
            app.Kill();
            await app.WaitForExitAsync();
        }
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string spec, params string[] program) =>
        GuestBinary.RunAsync(Timeout, ["container-run", "--spec", spec, "--", .. program]);

    private static async Task<int> MakeHostSharedMemoryAsync()
    {
        using var make = Process.Start(new ProcessStartInfo("ipcmk", ["-M", "4096"]) { RedirectStandardOutput = true })!;
        var output = await make.StandardOutput.ReadToEndAsync();
        await make.WaitForExitAsync();
        var match = Regex.Match(output, @"Shared memory id: (\d+)");
        Assert.That(match.Success, Is.True, $"ipcmk said: {output}");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
