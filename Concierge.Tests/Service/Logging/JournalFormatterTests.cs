using Concierge.Service.Logging;
using Concierge.Tests.Service.Support;
using NUnit.Framework;
using Serilog;
using Serilog.Events;

namespace Concierge.Tests.Service.Logging;

[TestFixture, Category("Unit")]
public sealed class JournalFormatterTests
{
    [TestCase(LogEventLevel.Debug, 7)]
    [TestCase(LogEventLevel.Information, 6)]
    [TestCase(LogEventLevel.Warning, 4)]
    [TestCase(LogEventLevel.Error, 3)]
    [TestCase(LogEventLevel.Fatal, 2)]
    public void Maps_levels_to_syslog_priorities(LogEventLevel level, int priority) =>
        Assert.That(JournalFormatter.Priority(level), Is.EqualTo(priority));

    [Test]
    public void Prefixes_the_priority_and_appends_structured_properties()
    {
        var line = Format(log => log.ForContext("Cid", 32).Information("VM {VmName} is {State}", "dev", "Running"));

        Assert.That(line, Is.EqualTo("<6>VM \"dev\" is \"Running\" Cid=32 State=\"Running\" VmName=\"dev\"\n"));
    }

    [Test]
    public void Prefixes_every_line_of_an_exception()
    {
        var text = Format(log => log.Error(new InvalidOperationException("boom\nsecond line"), "failed"));

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.That(lines, Has.Length.GreaterThanOrEqualTo(3));
        Assert.That(lines, Has.All.StartWith("<3>"));
        Assert.That(text, Does.Contain("<3>second line"));
    }

    [Test]
    public void Detects_the_journal_from_JOURNAL_STREAM()
    {
        Assert.That(ServiceLogging.StdoutIsJournal(name => name == "JOURNAL_STREAM" ? "8:12345" : null), Is.True);
        Assert.That(ServiceLogging.StdoutIsJournal(_ => null), Is.False);
        Assert.That(ServiceLogging.StdoutIsJournal(_ => ""), Is.False);
    }

    private static string Format(Action<ILogger> write)
    {
        var sink = new CollectingSink();
        write(sink.CreateLogger());
        var output = new StringWriter();
        new JournalFormatter().Format(sink.Events.Single(), output);
        return output.ToString();
    }
}
