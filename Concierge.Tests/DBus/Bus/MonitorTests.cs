using System.Diagnostics;
using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.Tests.DBus.TestObjects;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>Signals and replies we send, as seen by dbus-monitor and busctl monitor.</summary>
[TestFixture]
[Category("Bus")]
public sealed class MonitorTests
{
    [Test]
    public async Task DbusMonitorSeesOurSignal()
    {
        await using var served = await ServedBus.StartAsync();
        var output = await CaptureWhileAsync("dbus-monitor", ["--address", served.Address, "type='signal',interface='org.concierge.Test1'"], () =>
        {
            var body = new MessageWriter();
            body.WriteString("hello monitor");
            served.Server.SendSignal(ServedBus.ObjectPathText, TestInterface.InterfaceName, "Ping", "s", body);
            return Task.CompletedTask;
        }, "hello monitor");
        Assert.That(output, Does.Contain("member=Ping").And.Contain("string \"hello monitor\""));
    }

    [Test]
    public async Task BusctlMonitorSeesPropertiesChangedAndNoReplyForNoReplyCalls()
    {
        await using var served = await ServedBus.StartAsync();
        await using var client = await served.ConnectClientAsync();
        var output = await CaptureWhileAsync("busctl", [$"--address={served.Address}", "monitor"], async () =>
        {
            var body = new MessageWriter();
            body.WriteString("silent");
            client.CallMethodNoReply(new MethodCall { Destination = ServedBus.BusName, Path = ServedBus.ObjectPathText, Interface = TestInterface.InterfaceName, Member = "EmitPing", Signature = "s", Body = body });
            var set = new MessageWriter();
            set.WriteString(TestInterface.InterfaceName);
            set.WriteString("Count");
            set.WriteVariant(Variant.FromUInt32(99));
            using var reply = await client.CallMethodAsync(new MethodCall
            {
                Destination = ServedBus.BusName, Path = ServedBus.ObjectPathText, Interface = "org.freedesktop.DBus.Properties", Member = "Set", Signature = "ssv", Body = set,
            });
        }, "Member=PropertiesChanged");
        Assert.That(output, Does.Contain("Member=PropertiesChanged"));
        Assert.That(output, Does.Contain("STRING \"silent\""));
        Assert.That(output, Does.Contain("Flags=1"), "the EmitPing call carried NO_REPLY_EXPECTED");
        // Each round sends EmitPing with NO_REPLY_EXPECTED and a Set: only the Set gets a method return.
        var calls = CountOccurrences(output, "Type=method_call");
        Assert.That(calls, Is.GreaterThanOrEqualTo(2));
        Assert.That(CountOccurrences(output, "Type=method_return") * 2, Is.EqualTo(calls));
    }

    private static int CountOccurrences(string text, string what) => text.Split(what).Length - 1;

    // Starts a monitor, waits until it is attached, runs the action, and stops once `until` shows up.
    private static async Task<string> CaptureWhileAsync(string program, string[] arguments, Func<Task> action, string until)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var monitor = Process.Start(start)!;
        var captured = new System.Text.StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        monitor.OutputDataReceived += (_, e) =>
        {
            lock (captured)
            {
                captured.AppendLine(e.Data);
                if (captured.ToString().Contains(until, StringComparison.Ordinal))
                {
                    seen.TrySetResult();
                }
            }
        };
        monitor.BeginOutputReadLine();
        // A monitor attaches with one BecomeMonitor call; give it a moment and then act repeatedly until seen.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!seen.Task.IsCompleted)
        {
            await Task.Delay(200, timeout.Token);
            await action();
            await Task.WhenAny(seen.Task, Task.Delay(300, timeout.Token));
        }
        // Let the messages that follow the awaited one (e.g. the reply after a signal) arrive too.
        await Task.Delay(300);
        monitor.Kill();
        await monitor.WaitForExitAsync();
        lock (captured)
        {
            return captured.ToString();
        }
    }
}
