using Concierge.Service.Hosting;
using NUnit.Framework;
using Serilog.Events;

namespace Concierge.Tests.Service.Hosting;

[TestFixture]
[Category("Unit")]
public sealed class ServiceOptionsTests
{
    [Test]
    public void DefaultsAreTheSystemBusAndTheInstalledDirectories()
    {
        var options = ServiceOptions.Parse([], _ => null);

        Assert.Multiple(() =>
        {
            Assert.That(options.Address, Is.Null);
            Assert.That(options.StateDirectory, Is.EqualTo("/var/lib/concierge"));
            Assert.That(options.ImageDirectory, Is.EqualTo("/usr/share/concierge/guest"));
            Assert.That(options.LogLevel, Is.EqualTo(LogEventLevel.Information));
        });
    }

    [Test]
    public void CommandLineWinsOverEnvironmentWhichWinsOverSystemd()
    {
        var environment = new Dictionary<string, string>
        {
            ["CONCIERGE_ADDRESS"] = "unix:path=/env",
            ["CONCIERGE_IMAGE_DIR"] = "/env/images",
            ["STATE_DIRECTORY"] = "/var/lib/concierge-systemd:/other",
        };
        var options = ServiceOptions.Parse(["--address", "unix:path=/cli", "--log-level=warning"], environment.GetValueOrDefault);

        Assert.Multiple(() =>
        {
            Assert.That(options.Address, Is.EqualTo("unix:path=/cli"));
            Assert.That(options.ImageDirectory, Is.EqualTo("/env/images"));
            Assert.That(options.StateDirectory, Is.EqualTo("/var/lib/concierge-systemd"));
            Assert.That(options.LogLevel, Is.EqualTo(LogEventLevel.Warning));
        });
    }

    [TestCase("--bogus")]
    [TestCase("--address")]
    [TestCase("positional")]
    [TestCase("--log-level=loud")]
    [TestCase("--log-level=3")]
    public void BadCommandLinesAreRefused(string argument) =>
        Assert.Throws<ArgumentException>(() => ServiceOptions.Parse([argument], _ => null));

    [TestCase("2000000", null, 2000)]
    [TestCase("2000000", "4242", 2000)]
    [TestCase("2000000", "1", null)]
    [TestCase("0", null, null)]
    [TestCase("junk", null, null)]
    [TestCase(null, null, null)]
    public void WatchdogIsHonouredOnlyForThisProcess(string? usec, string? pid, int? expectedMs)
    {
        var environment = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid };

        var interval = WatchdogSettings.Interval(name => environment.GetValueOrDefault(name), 4242);

        Assert.That(interval?.TotalMilliseconds, Is.EqualTo(expectedMs));
    }
}
