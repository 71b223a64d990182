using Concierge.DBus;
using Concierge.DBus.Server;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Server;

/// <summary>Peer.GetMachineId reads /etc/machine-id and falls back to /var/lib/dbus/machine-id.</summary>
[TestFixture]
[Category("Unit")]
public sealed class MachineIdTests
{
    private static readonly string[] ExpectedDefaults = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

    private DirectoryInfo _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("concierge-machine-id-");

    [TearDown]
    public void DeleteDirectory() => _directory.Delete(recursive: true);

    [Test]
    public void FirstLocationWins()
    {
        var first = Write("first", "0123456789abcdef0123456789abcdef\n");
        var second = Write("second", "ffffffffffffffffffffffffffffffff\n");
        Assert.That(MachineId.Read([first, second]), Is.EqualTo("0123456789abcdef0123456789abcdef"));
    }

    [Test]
    public void MissingOrMalformedFirstFallsBack()
    {
        var missing = Path.Combine(_directory.FullName, "missing");
        var malformed = Write("malformed", "not-an-id");
        var fallback = Write("fallback", "abcdefabcdefabcdefabcdefabcdef12");
        Assert.That(MachineId.Read([missing, malformed, fallback]), Is.EqualTo("abcdefabcdefabcdefabcdefabcdef12"));
    }

    [Test]
    public void NoIdAnywhereIsAFailedError()
    {
        var error = Assert.Throws<DBusException>(() => MachineId.Read([Path.Combine(_directory.FullName, "none")]));
        Assert.That(error!.ErrorName, Is.EqualTo(DBusErrorNames.Failed));
    }

    [Test]
    public void DefaultLocationsAreTheSystemdThenTheDbusOne() =>
        Assert.That(MachineId.DefaultLocations, Is.EqualTo(ExpectedDefaults));

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
