using System.Diagnostics;
using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.Tests.DBus.TestObjects;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>Our client against dbus-daemon's own methods: names, identity, matches, errors, timeouts, loss.</summary>
[TestFixture]
[Category("Bus")]
public sealed class BusDaemonClientTests
{
    private static readonly string[] PingTexts = ["one", "two"];

    private PrivateBus _bus = null!;

    [SetUp]
    public async Task StartAsync() => _bus = await PrivateBus.StartAsync();

    [TearDown]
    public async Task StopAsync() => await _bus.DisposeAsync();

    [Test]
    public async Task HelloGivesAUniqueNameAndGetIdMatchesBusctl()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        Assert.That(connection.UniqueName, Does.Match(@"^:\d+\.\d+$"));
        Assert.That(connection.UnixFdsSupported, Is.True);
        var busctl = await ToolRunner.RunAsync("busctl", [$"--address={_bus.Address}", "call", DBusConnection.BusName, DBusConnection.BusPath, DBusConnection.BusName, "GetId"]);
        Assert.That(busctl.Trim(), Is.EqualTo($"s \"{await connection.GetBusIdAsync()}\""));
    }

    [Test]
    public async Task RequestNameFlagsAndReplyCodesFollowTheBus()
    {
        await using var first = await DBusConnection.ConnectAsync(_bus.Address);
        await using var second = await DBusConnection.ConnectAsync(_bus.Address);
        const string name = "org.concierge.Contested";
        Assert.That(await first.RequestNameAsync(name, RequestNameFlags.AllowReplacement), Is.EqualTo(RequestNameReply.PrimaryOwner));
        Assert.That(await first.RequestNameAsync(name, RequestNameFlags.AllowReplacement), Is.EqualTo(RequestNameReply.AlreadyOwner));
        Assert.That(await second.RequestNameAsync(name, RequestNameFlags.DoNotQueue), Is.EqualTo(RequestNameReply.Exists));
        Assert.That(await second.RequestNameAsync(name), Is.EqualTo(RequestNameReply.InQueue));
        Assert.That(await second.RequestNameAsync(name, RequestNameFlags.ReplaceExisting), Is.EqualTo(RequestNameReply.PrimaryOwner));
        Assert.That(await first.GetNameOwnerAsync(name), Is.EqualTo(second.UniqueName));
        Assert.That(await first.ReleaseNameAsync("org.concierge.Nobody"), Is.EqualTo(ReleaseNameReply.NonExistent));
        await using var third = await DBusConnection.ConnectAsync(_bus.Address);
        Assert.That(await third.ReleaseNameAsync(name), Is.EqualTo(ReleaseNameReply.NotOwner));
        Assert.That(await second.ReleaseNameAsync(name), Is.EqualTo(ReleaseNameReply.Released));
    }

    [Test]
    public async Task NameOwnerChangedIsWatched()
    {
        await using var watcher = await DBusConnection.ConnectAsync(_bus.Address);
        await using var owner = await DBusConnection.ConnectAsync(_bus.Address);
        var changes = new TaskCompletionSource<(string, string?, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await watcher.WatchNameOwnerChangedAsync("org.concierge.Watched", (name, oldOwner, newOwner) => changes.TrySetResult((name, oldOwner, newOwner)));
        await owner.RequestNameAsync("org.concierge.Watched");
        var (changed, previous, current) = await changes.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(changed, Is.EqualTo("org.concierge.Watched"));
        Assert.That(previous, Is.Null);
        Assert.That(current, Is.EqualTo(owner.UniqueName));
    }

    [Test]
    public async Task CallerIdentityComesFromTheBus()
    {
        await using var asker = await DBusConnection.ConnectAsync(_bus.Address);
        await using var other = await DBusConnection.ConnectAsync(_bus.Address);
        var uid = await asker.GetConnectionUnixUserAsync(other.UniqueName);
        Assert.That(uid, Is.EqualTo(uint.Parse(await ToolRunner.RunAsync("id", ["-u"]), System.Globalization.CultureInfo.InvariantCulture)));
        var credentials = await asker.GetConnectionCredentialsAsync(other.UniqueName);
        Assert.That(credentials["UnixUserID"].Value, Is.EqualTo(uid));
        Assert.That(credentials["ProcessID"].Value, Is.EqualTo((uint)Environment.ProcessId));
        Assert.That(await asker.GetConnectionUnixProcessIdAsync(other.UniqueName), Is.EqualTo((uint)Environment.ProcessId));
    }

    [Test]
    public async Task BusErrorsSurfaceAsTypedExceptions()
    {
        await using var connection = await DBusConnection.ConnectAsync(_bus.Address);
        var error = Assert.ThrowsAsync<DBusException>(() => connection.CallMethodAsync("org.concierge.Absent", "/", "org.concierge.X", "Y"));
        Assert.That(error!.ErrorName, Is.EqualTo(DBusErrorNames.ServiceUnknown));
        var noOwner = Assert.ThrowsAsync<DBusException>(() => connection.GetNameOwnerAsync("org.concierge.Absent"));
        Assert.That(noOwner!.ErrorName, Is.EqualTo(DBusErrorNames.NameHasNoOwner));
    }

    [Test]
    public async Task TimeoutAndCancellationFailOnlyThatCall()
    {
        await using var served = await ServedBus.StartAsync();
        await using var client = await served.ConnectClientAsync();
        var timedOut = Assert.ThrowsAsync<DBusException>(() => client.CallMethodAsync(SleepCall(2000, TimeSpan.FromMilliseconds(100))));
        Assert.That(timedOut!.ErrorName, Is.EqualTo(DBusErrorNames.NoReply));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        Assert.That(async () => await client.CallMethodAsync(SleepCall(2000, null), cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await client.GetBusIdAsync(), Is.Not.Empty);
    }

    [Test]
    public async Task LosingTheBusFailsPendingCallsAndCompletesDisconnected()
    {
        var served = await ServedBus.StartAsync();
        await using var client = await served.ConnectClientAsync();
        var pending = client.CallMethodAsync(SleepCall(30_000, Timeout.InfiniteTimeSpan));
        await Task.Delay(100);
        Process.GetProcessById(served.Bus.ProcessId).Kill();
        Assert.That(async () => await pending.WaitAsync(TimeSpan.FromSeconds(10)), Throws.InstanceOf<DBusConnectionClosedException>());
        var reason = await client.Disconnected.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(reason.Message, Does.Contain("closed").Or.Contain("lost"));
        Assert.That(async () => await client.GetBusIdAsync(), Throws.InstanceOf<DBusConnectionClosedException>());
        await served.DisposeAsync();
    }

    [Test]
    public async Task SignalsArriveThroughMatchRulesAndStopAfterDispose()
    {
        await using var served = await ServedBus.StartAsync();
        await using var client = await served.ConnectClientAsync();
        var rule = new MatchRule { Interface = TestInterface.InterfaceName, Member = "Ping", Path = ServedBus.ObjectPathText };
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new List<string>();
        var emitter = Task.Run(async () =>
        {
            await Task.Delay(300);
            foreach (var text in PingTexts)
            {
                var body = new MessageWriter();
                body.WriteString(text);
                served.Server.SendSignal(ServedBus.ObjectPathText, TestInterface.InterfaceName, "Ping", "s", body);
            }
        });
        await foreach (var signal in client.WatchSignalsAsync(rule, cancel.Token))
        {
            Assert.That(signal.Sender, Is.EqualTo(served.Server.UniqueName));
            received.Add(signal.GetBodyReader().ReadString());
            if (received.Count == 2)
            {
                break;
            }
        }
        await emitter;
        Assert.That(received, Is.EqualTo(PingTexts));
    }

    private static MethodCall SleepCall(uint milliseconds, TimeSpan? timeout)
    {
        var body = new MessageWriter();
        body.WriteUInt32(milliseconds);
        return new MethodCall
        {
            Destination = ServedBus.BusName, Path = ServedBus.ObjectPathText, Interface = TestInterface.InterfaceName,
            Member = "Sleep", Signature = "u", Body = body, Timeout = timeout,
        };
    }
}
