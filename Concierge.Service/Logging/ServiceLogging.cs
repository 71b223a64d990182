using Serilog;

namespace Concierge.Service.Logging;

/// <summary>How the service's Serilog logger writes: journal lines under systemd, readable lines on a terminal.</summary>
public static class ServiceLogging
{
    /// <summary>Human-readable console template for terminals.</summary>
    public const string TerminalTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    /// <summary>
    /// True when systemd connected stdout/stderr to the journal: it then sets JOURNAL_STREAM
    /// (systemd.exec(5)).
    /// </summary>
    public static bool StdoutIsJournal(Func<string, string?>? getEnvironment = null) =>
        !string.IsNullOrEmpty((getEnvironment ?? Environment.GetEnvironmentVariable)("JOURNAL_STREAM"));

    /// <summary>Adds the console sink fitting <paramref name="journal"/> to <paramref name="configuration"/>.</summary>
    public static LoggerConfiguration WriteToConsole(this LoggerConfiguration configuration, bool journal)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return journal
            ? configuration.WriteTo.Console(new JournalFormatter())
            : configuration.WriteTo.Console(outputTemplate: TerminalTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
    }
}
