using System.Diagnostics;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Supervision;

/// <summary>
/// The supervisor for real: "concierge-init supervise" (the init without its PID 1 duties,
/// a child subreaper instead) started as a child process, watched through its log lines.
/// </summary>
[TestFixture, Category("Guest")]
public sealed class SupervisorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("concierge-supervise-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task RespawnsUntilTheBurstLimitThenGivesUp()
    {
        using var supervisor = Start("""
            { "maxRestarts": 3, "restartWindowSeconds": 30,
              "services": [ { "name": "crasher", "argv": ["/bin/sh", "-c", "exit 3"], "respawn": true } ] }
            """);
        var log = await GuestBinary.ReadUntilAsync(supervisor.StandardError, "gave up", Timeout);
        await StopAsync(supervisor);
        Assert.That(Count(log, "crasher started"), Is.EqualTo(4), log);
        Assert.That(Count(log, "exited with code 3; respawning"), Is.EqualTo(3), log);
        Assert.That(log, Does.Contain("service crasher: exited with code 3; gave up after 3 restarts in 30 s"));
    }

    [Test]
    public async Task ReapsOrphansLeftByServices()
    {
        using var supervisor = Start("""
            { "services": [ { "name": "parent", "argv": ["/bin/sh", "-c", "sleep 0.5 & echo $! > orphan.pid; exit 0"] } ] }
            """);
        var log = await GuestBinary.ReadUntilAsync(supervisor.StandardError, "reaped orphan", Timeout);
        var orphan = int.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, "orphan.pid")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(log, Does.Contain($"reaped orphan {orphan}: exited with code 0"));
        Assert.That(Directory.Exists($"/proc/{orphan}"), Is.False, "no zombie is left behind");
        await StopAsync(supervisor);
    }

    [Test]
    public async Task ShutdownEscalatesToSigkillForProcessesIgnoringSigterm()
    {
        using var supervisor = Start("""
            { "shutdownGraceMs": 300,
              "services": [ { "name": "stubborn", "argv": ["/bin/sh", "-c", "trap '' TERM; echo $$ > stubborn.pid; while :; do sleep 1; done"] } ] }
            """);
        await GuestBinary.ReadUntilAsync(supervisor.StandardError, "stubborn started", Timeout);
        var pidFile = Path.Combine(_directory, "stubborn.pid");
        while (!File.Exists(pidFile) || new FileInfo(pidFile).Length == 0)
        {
            await Task.Delay(20);
        }
        var stubborn = (await File.ReadAllTextAsync(pidFile)).Trim();
        var log = await StopAsync(supervisor);
        Assert.That(log, Does.Contain("sending SIGKILL"));
        Assert.That(log, Does.Contain("service stubborn").And.Contain("killed by signal 9"));
        Assert.That(Directory.Exists($"/proc/{stubborn}"), Is.False);
    }

    [Test]
    public async Task ShutsDownWhenTheAppExitsIfConfigured()
    {
        using var supervisor = Start("""
            { "services": [
                { "name": "helper", "argv": ["/bin/sh", "-c", "sleep 30"] },
                { "name": "app", "argv": ["/bin/sh", "-c", "exit 0"], "shutdownOnExit": true } ] }
            """);
        var log = await supervisor.StandardError.ReadToEndAsync();
        await supervisor.WaitForExitAsync();
        Assert.That(supervisor.ExitCode, Is.Zero, log);
        Assert.That(log, Does.Contain("shutdown: app exited"));
        Assert.That(log, Does.Contain("service helper").And.Contain("killed by signal 15"));
    }

    private Process Start(string config)
    {
        var path = Path.Combine(_directory, "init.json");
        File.WriteAllText(path, config);
        var start = new ProcessStartInfo(GuestBinary.Path)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (var argument in new[] { "supervise", "--config", path, "--run-dir", Path.Combine(_directory, "run") })
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    /// <summary>SIGTERM, like a shutdown request, then the rest of the log.</summary>
    private static async Task<string> StopAsync(Process supervisor)
    {
        using (var kill = Process.Start("kill", ["-TERM", supervisor.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        var rest = await supervisor.StandardError.ReadToEndAsync();
        await supervisor.WaitForExitAsync();
        Assert.That(supervisor.ExitCode, Is.Zero, rest);
        return rest;
    }

    private static int Count(string text, string part) =>
        text.Split('\n').Count(line => line.Contains(part, StringComparison.Ordinal));
}
