using Serilog.Events;
using Serilog.Formatting;

namespace Concierge.Service.Logging;

/// <summary>
/// Formats events for stdout when it is connected to the systemd journal: each line starts with
/// a syslog priority prefix (<c>&lt;6&gt;</c> …, see sd-daemon(3)) so journald records the level,
/// and carries the message followed by the event's structured properties as <c>key=value</c>.
/// journald adds its own timestamp, so none is written.
/// </summary>
public sealed class JournalFormatter : ITextFormatter
{
    /// <summary>The syslog priority for <paramref name="level"/>.</summary>
    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => 7,
        LogEventLevel.Information => 6,
        LogEventLevel.Warning => 4,
        LogEventLevel.Error => 3,
        _ => 2,
    };

    /// <inheritdoc />
    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        var prefix = $"<{Priority(logEvent.Level)}>";
        var line = new StringWriter();
        line.Write(logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (name, value) in logEvent.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            line.Write(' ');
            line.Write(name);
            line.Write('=');
            value.Render(line, format: null, System.Globalization.CultureInfo.InvariantCulture);
        }
        // journald makes one entry per line: every line (message, stack trace) gets the prefix.
        var text = logEvent.Exception is null ? line.ToString() : $"{line}\n{logEvent.Exception}";
        foreach (var part in text.Split('\n'))
        {
            output.Write(prefix);
            output.Write(part.TrimEnd('\r'));
            output.Write('\n');
        }
    }
}
