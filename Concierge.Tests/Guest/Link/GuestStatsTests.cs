using Concierge.Guest.Link;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Link;

[TestFixture, Category("Unit")]
public sealed class GuestStatsTests
{
    [Test]
    public void ParsesUptime() => Assert.That(GuestStats.ParseUptimeMs("12345.67 54321.00\n"), Is.EqualTo(12_345_670));

    [Test]
    public void ParsesLoadAverage() =>
        Assert.That(GuestStats.ParseLoadAverage("0.52 1.58 10.59 1/189 12345\n"), Is.EqualTo((52u, 158u, 1059u)));

    [Test]
    public void ParsesMemInfo() =>
        Assert.That(GuestStats.ParseMemInfo(["MemTotal:        2000000 kB", "MemFree:  10 kB", "MemAvailable:    1500000 kB", "garbage"]),
            Is.EqualTo((1_500_000UL, 2_000_000UL)));

    [TestCase("")]
    [TestCase("-1.0 2")]
    [TestCase("abc def")]
    public void RejectsBadUptime(string text) => Assert.Throws<FormatException>(() => GuestStats.ParseUptimeMs(text));

    [Test]
    public void RejectsShortLoadAverage() => Assert.Throws<FormatException>(() => GuestStats.ParseLoadAverage("0.1 0.2"));

    [Test]
    public void SamplesThisMachine()
    {
        var heartbeat = GuestStats.Sample();
        Assert.That(heartbeat.MemoryTotalKib, Is.GreaterThan(heartbeat.MemoryAvailableKib));
        Assert.That(heartbeat.UptimeMs, Is.GreaterThan(0));
    }
}
