using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.Tests.DBus.TestObjects;
using Concierge.Tests.TestSupport;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Bus;

/// <summary>
/// PrivateBus with the system bus defaults plus a service policy file: what the file allows works,
/// the rest comes back as AccessDenied (the way service teams test their real policy).
/// </summary>
[TestFixture]
[Category("Bus")]
public sealed class PolicyFixtureTests
{
    private const string Service = "org.concierge.PolicyTest";

    [Test]
    public async Task IncludedPolicyDecidesWhoOwnsAndWhatMayBeCalled()
    {
        var policyFile = Path.Combine(Path.GetTempPath(), $"concierge-policy-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(policyFile, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <policy user="{Environment.UserName}"><allow own="{Service}"/></policy>
              <policy context="default">
                <allow send_destination="{Service}" send_interface="{TestInterface.InterfaceName}" send_member="EchoVariant"/>
              </policy>
            </busconfig>
            """);
        try
        {
            await using var bus = await PrivateBus.StartAsync($"<include>{policyFile}</include>", PrivateBus.BusPolicy.SystemDefaults);
            await using var server = await DBusConnection.ConnectAsync(bus.Address);
            server.RegisterObject(new DBusObject(new ObjectPath(ServedBus.ObjectPathText), new TestInterface()));
            var denied = Assert.ThrowsAsync<DBusException>(() => server.RequestNameAsync("org.concierge.NotInThePolicy"));
            Assert.That(denied!.ErrorName, Is.EqualTo(DBusErrorNames.AccessDenied));
            Assert.That(await server.RequestNameAsync(Service), Is.EqualTo(RequestNameReply.PrimaryOwner));

            await using var client = await DBusConnection.ConnectAsync(bus.Address);
            var allowed = new MessageWriter();
            allowed.WriteVariant(Variant.FromString("let through"));
            using (var reply = await client.CallMethodAsync(new MethodCall { Destination = Service, Path = ServedBus.ObjectPathText, Interface = TestInterface.InterfaceName, Member = "EchoVariant", Signature = "v", Body = allowed }))
            {
                Assert.That(reply.GetBodyReader().ReadVariant().Value, Is.EqualTo("let through"));
            }
            var blocked = Assert.ThrowsAsync<DBusException>(() => client.CallMethodAsync(Service, ServedBus.ObjectPathText, TestInterface.InterfaceName, "Crash"));
            Assert.That(blocked!.ErrorName, Is.EqualTo(DBusErrorNames.AccessDenied));
        }
        finally
        {
            File.Delete(policyFile);
        }
    }
}
