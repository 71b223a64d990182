using Concierge.DBus;
using NUnit.Framework;

namespace Concierge.Tests.DBus;

/// <summary>Address parsing (escapes, fallbacks, bus defaults) and match rule syntax.</summary>
[TestFixture]
[Category("Unit")]
public sealed class AddressAndMatchRuleTests
{
    [Test]
    public void FallbacksAndEscapesAreParsed()
    {
        var address = DBusAddress.Parse("unix:path=/tmp/a%20b,guid=0123;unix:abstract=hidden%2cname;tcp:host=localhost,port=1");
        Assert.That(address.Entries, Has.Count.EqualTo(3));
        Assert.That(address.Entries[0].Transport, Is.EqualTo("unix"));
        Assert.That(address.Entries[0].Get("path"), Is.EqualTo("/tmp/a b"));
        Assert.That(address.Entries[0].Get("guid"), Is.EqualTo("0123"));
        Assert.That(address.Entries[1].Get("abstract"), Is.EqualTo("hidden,name"));
        Assert.That(address.Entries[2].Get("port"), Is.EqualTo("1"));
    }

    [TestCase("")]
    [TestCase("nocolon")]
    [TestCase("unix:path")]
    [TestCase("unix:path=%zz")]
    [TestCase("unix:path=a,path=b")]
    public void MalformedAddressesAreRejected(string text) => Assert.That(() => DBusAddress.Parse(text), Throws.InstanceOf<FormatException>());

    [Test]
    public void SystemBusDefaultsToTheWellKnownSocketAndHonoursTheVariable()
    {
        WithVariable("DBUS_SYSTEM_BUS_ADDRESS", null, () =>
            Assert.That(DBusAddress.System.Entries[0].Get("path"), Is.EqualTo("/var/run/dbus/system_bus_socket")));
        WithVariable("DBUS_SYSTEM_BUS_ADDRESS", "unix:abstract=elsewhere", () =>
            Assert.That(DBusAddress.System.Entries[0].Get("abstract"), Is.EqualTo("elsewhere")));
    }

    [Test]
    public void SessionBusComesFromTheVariable() =>
        WithVariable("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/7/bus", () =>
            Assert.That(DBusAddress.Session.Entries[0].Get("path"), Is.EqualTo("/run/user/7/bus")));

    private static void WithVariable(string name, string? value, Action check)
    {
        var saved = Environment.GetEnvironmentVariable(name);
        try
        {
            Environment.SetEnvironmentVariable(name, value);
            check();
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, saved);
        }
    }

    [Test]
    public void MatchRulesQuoteValues()
    {
        var rule = new MatchRule { Sender = "org.x", Interface = "a.b", Member = "M", PathNamespace = "/p", Arg0 = "it's" };
        Assert.That(rule.ToString(), Is.EqualTo("type='signal',sender='org.x',interface='a.b',member='M',path_namespace='/p',arg0='it'\\''s'"));
    }
}
