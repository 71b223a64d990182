using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.DBus.TestObjects;

/// <summary>
/// A private bus with a server connection owning <see cref="BusName"/> and serving a
/// <see cref="TestInterface"/> at <see cref="ObjectPathText"/> under an ObjectManager at /org/concierge.
/// </summary>
public sealed class ServedBus : IAsyncDisposable
{
    public const string BusName = "org.concierge.TestService";
    public const string ObjectPathText = "/org/concierge/test/main";
    public const string ManagerPath = "/org/concierge";

    private ServedBus(PrivateBus bus, DBusConnection server, TestInterface test)
    {
        Bus = bus;
        Server = server;
        Test = test;
    }

    public PrivateBus Bus { get; }

    public DBusConnection Server { get; }

    public TestInterface Test { get; }

    public string Address => Bus.Address;

    public static async Task<ServedBus> StartAsync()
    {
        var bus = await PrivateBus.StartAsync();
        var server = await DBusConnection.ConnectAsync(bus.Address);
        var test = new TestInterface();
        server.AddObjectManager(new ObjectPath(ManagerPath));
        server.RegisterObject(new DBusObject(new ObjectPath(ObjectPathText), test));
        Assert.That(await server.RequestNameAsync(BusName, RequestNameFlags.DoNotQueue), Is.EqualTo(RequestNameReply.PrimaryOwner));
        return new ServedBus(bus, server, test);
    }

    public Task<DBusConnection> ConnectClientAsync() => DBusConnection.ConnectAsync(Address);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Bus.DisposeAsync();
    }
}
