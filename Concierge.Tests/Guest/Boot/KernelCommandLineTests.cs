using Concierge.Guest.Boot;
using Concierge.Guest.Config;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Boot;

[TestFixture, Category("Unit")]
public sealed class KernelCommandLineTests
{
    [Test]
    public void ReadsOurArgumentsAndIgnoresTheRest()
    {
        var line = KernelCommandLine.Parse("console=ttyS0 quiet concierge.heartbeat_ms=250 concierge.rootfs=/dev/vda concierge.host=none root=/dev/sda concierge.unknown=1\n");
        Assert.That(line.HeartbeatInterval, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
        Assert.That(line.RootFsDevice, Is.EqualTo("/dev/vda"));
        Assert.That(line.RootFsType, Is.EqualTo("ext4"));
        Assert.That(line.HostLink, Is.EqualTo("none"));
        Assert.That(line.ConfigPath, Is.EqualTo("/etc/concierge/init.json"));
    }

    [Test]
    public void DefaultsWithoutArguments()
    {
        var line = KernelCommandLine.Parse("console=ttyS0");
        Assert.That(line.RootFsDevice, Is.Null);
        Assert.That(line.HostLink, Is.EqualTo("vsock:2:7777"));
        Assert.That(line.HeartbeatInterval, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [TestCase("concierge.heartbeat_ms=abc")]
    [TestCase("concierge.heartbeat_ms=0")]
    [TestCase("concierge.heartbeat_ms=-5")]
    public void RejectsBadHeartbeat(string line) => Assert.Throws<ConfigException>(() => KernelCommandLine.Parse(line));
}
