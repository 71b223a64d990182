using System.Text;
using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.Tests.DBus.TestObjects;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>Our client against our own server through a real dbus-daemon: values, fds, errors, properties, ObjectManager, Peer.</summary>
[TestFixture]
[Category("Bus")]
public sealed class ClientServerTests
{
    private static readonly string[] ReadableProperties = ["Name", "Count", "Tags"];

    private ServedBus _served = null!;
    private DBusConnection _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _served = await ServedBus.StartAsync();
        _client = await _served.ConnectClientAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _client.DisposeAsync();
        await _served.DisposeAsync();
    }

    private Task<Message> CallAsync(string member, string signature = "", Action<MessageWriter>? write = null, string? @interface = TestInterface.InterfaceName, string path = ServedBus.ObjectPathText)
    {
        MessageWriter? body = null;
        if (write is not null)
        {
            body = new MessageWriter();
            write(body);
        }
        return _client.CallMethodAsync(new MethodCall { Destination = ServedBus.BusName, Path = path, Interface = @interface, Member = member, Signature = signature, Body = body });
    }

    private static Task<string> ErrorNameOfAsync(Task call)
    {
        var error = Assert.ThrowsAsync<DBusException>(async () => await call);
        return Task.FromResult(error!.ErrorName);
    }

    [Test]
    public async Task GenericValuesRoundTrip()
    {
        var variant = new Variant("a(iv)", new object[] { new DBusStruct(5, new Variant("s", "inner")) });
        object[] values =
        [
            new object[] { 1, 2, 3 }, new object[] { "x" },
            new KeyValuePair<object, object>[] { new("k", Variant.FromUInt32(7)) },
            new DBusStruct(-1, "foo", 2.25),
            new object[] { new DBusStruct("n", new KeyValuePair<object, object>[] { new("key", 9) }) },
            new object[] { new byte[] { 1, 2 }, Array.Empty<byte>() },
            variant,
        ];
        using var reply = await CallAsync("Containers", TestInterface.ContainersSignature, w => w.WriteValues(TestInterface.ContainersSignature, values));
        var echoed = reply.GetBodyReader().ReadValues(reply.Signature);
        Assert.That(ValueComparer.AreEqual(echoed, values), Is.True);
    }

    [Test]
    public async Task ServerReadsAFileThroughAnFdWeSend()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "through the fd");
        try
        {
            using var file = File.OpenHandle(path);
            using var reply = await CallAsync("ReadFile", "h", w => w.WriteUnixFd(file));
            Assert.That(reply.GetBodyReader().ReadString(), Is.EqualTo("through the fd"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task WeReadAFileThroughAnFdTheServerSends()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "from the server");
        try
        {
            using var reply = await CallAsync("OpenFile", "s", w => w.WriteString(path));
            Assert.That(reply.UnixFdCount, Is.EqualTo(1));
            using var fd = reply.GetBodyReader().ReadUnixFd();
            using var stream = new FileStream(fd, FileAccess.Read);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            Assert.That(await reader.ReadToEndAsync(), Is.EqualTo("from the server"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task ReceivedFdsNobodyTakesAreClosed()
    {
        var path = Path.GetTempFileName();
        try
        {
            using (var warmUp = await CallAsync("OpenFile", "s", w => w.WriteString(path)))
            {
            }
            var before = Directory.GetFiles("/proc/self/fd").Length;
            for (var i = 0; i < 40; i++)
            {
                using var reply = await CallAsync("OpenFile", "s", w => w.WriteString(path));
            }
            Assert.That(Directory.GetFiles("/proc/self/fd").Length, Is.LessThan(before + 10));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task HandlerErrorsBecomeErrorRepliesAndTheConnectionSurvives()
    {
        Assert.That(await ErrorNameOfAsync(CallAsync("Fail", "ss", w =>
        {
            w.WriteString("org.concierge.Error.Custom");
            w.WriteString("told to fail");
        })), Is.EqualTo("org.concierge.Error.Custom"));
        Assert.That(await ErrorNameOfAsync(CallAsync("Crash")), Is.EqualTo(DBusErrorNames.Failed));
        Assert.That(await ErrorNameOfAsync(CallAsync("NoSuchMethod")), Is.EqualTo(DBusErrorNames.UnknownMethod));
        Assert.That(await ErrorNameOfAsync(CallAsync("Sleep", "s", w => w.WriteString("wrong"))), Is.EqualTo(DBusErrorNames.InvalidArgs));
        Assert.That(await ErrorNameOfAsync(CallAsync("Ping", @interface: "org.concierge.Other")), Is.EqualTo(DBusErrorNames.UnknownInterface));
        Assert.That(await ErrorNameOfAsync(CallAsync("Basics", path: "/no/such/object")), Is.EqualTo(DBusErrorNames.UnknownObject));
        using var ping = await CallAsync("Ping", @interface: "org.freedesktop.DBus.Peer");
        Assert.That(_served.Server.Disconnected.IsCompleted, Is.False);
    }

    [Test]
    public async Task PeerAnswersPingAndMachineId()
    {
        using var ping = await CallAsync("Ping", @interface: "org.freedesktop.DBus.Peer", path: "/anything");
        using var id = await CallAsync("GetMachineId", @interface: "org.freedesktop.DBus.Peer");
        var expected = File.Exists("/etc/machine-id") ? File.ReadAllText("/etc/machine-id").Trim() : File.ReadAllText("/var/lib/dbus/machine-id").Trim();
        Assert.That(id.GetBodyReader().ReadString(), Is.EqualTo(expected));
    }

    [Test]
    public async Task PropertiesGetGetAllSetAndChangedSignal()
    {
        using (var name = await GetAsync("Name"))
        {
            Assert.That(name.GetBodyReader().ReadVariant().Value, Is.EqualTo("test object"));
        }
        using (var all = await CallAsync("GetAll", "s", w => w.WriteString(TestInterface.InterfaceName), "org.freedesktop.DBus.Properties"))
        {
            var map = all.GetBodyReader().ReadPropertyMap();
            Assert.That(map.Keys, Is.EquivalentTo(ReadableProperties));
        }
        var changed = new TaskCompletionSource<Dictionary<string, Variant>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await _client.WatchSignalAsync(new MatchRule { Interface = "org.freedesktop.DBus.Properties", Member = "PropertiesChanged", Path = ServedBus.ObjectPathText, Arg0 = TestInterface.InterfaceName }, message =>
        {
            var reader = message.GetBodyReader();
            reader.ReadString();
            changed.TrySetResult(reader.ReadPropertyMap());
        }))
        {
            using (await SetAsync("Count", Variant.FromUInt32(41)))
            {
            }
            var signal = await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(signal["Count"].Value, Is.EqualTo(41u));
        }
        Assert.That(await ErrorNameOfAsync(SetAsync("Name", Variant.FromString("x"))), Is.EqualTo(DBusErrorNames.PropertyReadOnly));
        Assert.That(await ErrorNameOfAsync(SetAsync("Count", Variant.FromString("x"))), Is.EqualTo(DBusErrorNames.InvalidArgs));
        Assert.That(await ErrorNameOfAsync(GetAsync("Secret")), Is.EqualTo(DBusErrorNames.AccessDenied));
        Assert.That(await ErrorNameOfAsync(GetAsync("Missing")), Is.EqualTo(DBusErrorNames.UnknownProperty));
        using (await SetAsync("Secret", Variant.FromString("hidden")))
        {
            Assert.That(_served.Test.Secret, Is.EqualTo("hidden"));
        }
    }

    [Test]
    public async Task ObjectManagerListsAndAnnouncesObjects()
    {
        using (var managed = await CallAsync("GetManagedObjects", @interface: "org.freedesktop.DBus.ObjectManager", path: ServedBus.ManagerPath))
        {
            var objects = (KeyValuePair<object, object>[])managed.GetBodyReader().ReadValue("a{oa{sa{sv}}}");
            Assert.That(objects.Select(o => o.Key.ToString()), Does.Contain(ServedBus.ObjectPathText));
        }
        var added = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var removed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await _client.WatchSignalAsync(new MatchRule { Interface = "org.freedesktop.DBus.ObjectManager", Path = ServedBus.ManagerPath }, message =>
        {
            var path = message.GetBodyReader().ReadObjectPath().Value;
            (message.Member == "InterfacesAdded" ? added : removed).TrySetResult(path);
        });
        var extra = new ObjectPath("/org/concierge/extra");
        _served.Server.RegisterObject(new DBusObject(extra, new TestInterface()));
        Assert.That(await added.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(extra.Value));
        Assert.That(_served.Server.UnregisterObject(extra), Is.True);
        Assert.That(await removed.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(extra.Value));
    }

    [Test]
    public async Task HandlersCanAwaitBusCallsOnTheirOwnConnection()
    {
        using var reply = await CallAsync("WhoAmI");
        Assert.That(reply.GetBodyReader().ReadUInt32(), Is.EqualTo(await _client.GetConnectionUnixUserAsync(_client.UniqueName)));
    }

    [Test]
    public async Task CallsFromOneSenderAreAnsweredInOrder()
    {
        var calls = Enumerable.Range(0, 50).Select(i => CallAsync("EchoVariant", "v", w => w.WriteVariant(Variant.FromInt32(i)))).ToList();
        var completionOrder = new List<int>();
        foreach (var call in calls)
        {
            using var reply = await call;
            completionOrder.Add((int)reply.GetBodyReader().ReadVariant().Value);
        }
        Assert.That(completionOrder, Is.EqualTo(Enumerable.Range(0, 50)));
        var serials = calls.Select(c => c.Result.ReplySerial).ToList();
        var replySerials = calls.Select(c => c.Result.Serial).ToList();
        Assert.That(replySerials, Is.Ordered, "replies were sent in call order");
        Assert.That(serials, Is.Ordered);
    }

    [Test]
    public async Task DeferredRepliesLetLaterCallsOvertake()
    {
        var slow = CallAsync("SleepDeferred", "u", w => w.WriteUInt32(1500));
        using (var fast = await CallAsync("EchoVariant", "v", w => w.WriteVariant(Variant.FromString("fast"))))
        {
            Assert.That(slow.IsCompleted, Is.False, "the fast call was answered while the deferred one was still sleeping");
        }
        using var slowReply = await slow;
        Assert.That(slowReply.GetBodyReader().ReadUInt32(), Is.EqualTo(1500u));
    }

    [Test]
    public async Task LargeMessagesRoundTrip()
    {
        var payload = new byte[8 * 1024 * 1024];
        new Random(42).NextBytes(payload);
        using var reply = await CallAsync("EchoVariant", "v", w => w.WriteVariant(Variant.FromBytes(payload)));
        Assert.That(((byte[])reply.GetBodyReader().ReadVariant().Value).AsSpan().SequenceEqual(payload), Is.True);
    }

    [Test]
    public async Task ConcurrentCallersGetTheirOwnReplies()
    {
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                var text = $"{worker}:{i}";
                using var reply = await CallAsync("EchoVariant", "v", w => w.WriteVariant(Variant.FromString(text)));
                Assert.That(reply.GetBodyReader().ReadVariant().Value, Is.EqualTo(text));
            }
        }));
        await Task.WhenAll(workers);
    }

    private Task<Message> GetAsync(string property) => CallAsync("Get", "ss", w =>
    {
        w.WriteString(TestInterface.InterfaceName);
        w.WriteString(property);
    }, "org.freedesktop.DBus.Properties");

    private Task<Message> SetAsync(string property, Variant value) => CallAsync("Set", "ssv", w =>
    {
        w.WriteString(TestInterface.InterfaceName);
        w.WriteString(property);
        w.WriteVariant(value);
    }, "org.freedesktop.DBus.Properties");
}
