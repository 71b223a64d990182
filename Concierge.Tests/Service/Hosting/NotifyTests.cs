using NUnit.Framework;

namespace Concierge.Tests.Service.Hosting;

/// <summary>sd_notify as systemd sees it: a datagram socket of the test's own as NOTIFY_SOCKET.</summary>
[TestFixture]
[Category("Bus")]
public sealed class NotifyTests
{
    [Test]
    public async Task ReadyStatusWatchdogAndStoppingArriveAndSigtermExitsCleanly()
    {
        await using var notify = new FakeNotifySocket();
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.SocketPath, ["WATCHDOG_USEC"] = "2000000" };
        await using var service = await ServiceUnderTest.StartAsync(environment);

        await notify.WaitUntilAsync(m => m.Count(x => x.Text == "WATCHDOG=1") >= 3, TimeSpan.FromSeconds(60));
        await service.Service!.TerminateAsync();
        var exitCode = await service.Service.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await notify.WaitUntilAsync(m => m.Any(x => x.Text.Contains("STOPPING=1", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));

        var seen = notify.Messages;
        var pings = seen.Where(m => m.Text == "WATCHDOG=1").Select(m => m.At).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, service.Service.Output);
            Assert.That(seen[0].Text, Does.StartWith("READY=1\nSTATUS=0 VMs running"), string.Join(" | ", seen.Select(m => m.Text)));
            // Half of WATCHDOG_USEC apart (1 s): never a burst from a timer that fires without waiting.
            Assert.That(pings.Zip(pings.Skip(1), (a, b) => b - a), Is.All.GreaterThan(TimeSpan.FromMilliseconds(700)));
            Assert.That(seen.Last().Text, Does.StartWith("STOPPING=1\nSTATUS=Stopping 0 VMs"));
        });
    }

    [Test]
    public async Task NoWatchdogPingsWhenTheWatchdogIsForAnotherProcess()
    {
        await using var notify = new FakeNotifySocket();
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.SocketPath, ["WATCHDOG_USEC"] = "1000000", ["WATCHDOG_PID"] = "1" };
        await using var service = await ServiceUnderTest.StartAsync(environment);

        await notify.WaitUntilAsync(m => m.Any(x => x.Text.StartsWith("READY=1", StringComparison.Ordinal)), TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.That(notify.Messages.Select(m => m.Text), Has.None.EqualTo("WATCHDOG=1"));
    }
}
