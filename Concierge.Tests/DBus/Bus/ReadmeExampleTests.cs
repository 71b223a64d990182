using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.Tests.DBus.TestObjects;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>The Greeter of Concierge.DBus/README.md, served and called with busctl, so the README stays true.</summary>
[TestFixture]
[Category("Bus")]
public sealed class ReadmeExampleTests
{
    private sealed class Greeter : DBusInterface
    {
        private static readonly InterfaceDescription Metadata = new("com.example.Greeter1")
        {
            Methods = [new("Hello", [new("name", "s")], [new("greeting", "s")])],
            Properties = [new("Greeted", "u", PropertyAccess.Read)],
        };

        private uint _greeted;

        public Greeter()
            : base(Metadata)
        {
        }

        public override ValueTask HandleMethodAsync(MethodContext context)
        {
            var name = context.GetBodyReader().ReadString();
            var reply = new MessageWriter();
            reply.WriteString($"Hello, {name}");
            context.Reply("s", reply);
            _greeted++;
            context.Connection.EmitPropertiesChanged(new ObjectPath(context.Path), Metadata.Name, [new("Greeted", Variant.FromUInt32(_greeted))]);
            return ValueTask.CompletedTask;
        }

        public override Variant GetProperty(string name) => Variant.FromUInt32(_greeted);
    }

    [Test]
    public async Task GreeterAnswersBusctl()
    {
        await using var privateBus = await PrivateBus.StartAsync();
        await using var bus = await DBusConnection.ConnectAsync(privateBus.Address);
        bus.AddObjectManager(new ObjectPath("/com/example"));
        bus.RegisterObject(new DBusObject(new ObjectPath("/com/example/Greeter1"), new Greeter()));
        Assert.That(await bus.RequestNameAsync("com.example.Greeter1", RequestNameFlags.DoNotQueue), Is.EqualTo(RequestNameReply.PrimaryOwner));

        var greeting = await ToolRunner.RunAsync("busctl", [$"--address={privateBus.Address}", "call", "com.example.Greeter1", "/com/example/Greeter1", "com.example.Greeter1", "Hello", "s", "you"]);
        Assert.That(greeting.Trim(), Is.EqualTo("s \"Hello, you\""));
        var greeted = await ToolRunner.RunAsync("busctl", [$"--address={privateBus.Address}", "get-property", "com.example.Greeter1", "/com/example/Greeter1", "com.example.Greeter1", "Greeted"]);
        Assert.That(greeted.Trim(), Is.EqualTo("u 1"));
        var tree = await ToolRunner.RunAsync("busctl", [$"--address={privateBus.Address}", "tree", "com.example.Greeter1"]);
        Assert.That(tree, Does.Contain("/com/example/Greeter1"));
    }
}
