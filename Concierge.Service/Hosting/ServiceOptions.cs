using System.Globalization;
using Concierge.Service.Storage;
using Serilog.Events;

namespace Concierge.Service.Hosting;

/// <summary>
/// The command line and environment of the <c>concierge</c> executable. Each option may be given
/// as <c>--name value</c>, <c>--name=value</c>, or an environment variable; the command line wins.
/// <code>
/// concierge [--address ADDRESS] [--state-dir DIR] [--image-dir DIR] [--log-level LEVEL]
///   --address     D-Bus address to serve on        CONCIERGE_ADDRESS    default: the system bus
///   --state-dir   registry, disks, console logs    CONCIERGE_STATE_DIR  default: $STATE_DIRECTORY, else /var/lib/concierge
///   --image-dir   system guest images              CONCIERGE_IMAGE_DIR  default: /usr/share/concierge/guest
///   --log-level   verbose|debug|information|warning|error   CONCIERGE_LOG_LEVEL  default: information
/// </code>
/// </summary>
public sealed record ServiceOptions
{
    /// <summary>The default system guest image directory (holds vmlinuz and initramfs.cpio.gz).</summary>
    public const string DefaultImageDirectory = Runtime.VmRuntimeOptions.InstalledGuestDirectory;

    /// <summary>The usage text printed for --help and after a bad option.</summary>
    public const string Usage =
        "usage: concierge [--address ADDRESS] [--state-dir DIR] [--image-dir DIR] [--log-level LEVEL]\n" +
        "  --address    D-Bus address to serve on (CONCIERGE_ADDRESS; default: the system bus)\n" +
        "  --state-dir  registry, disk images, console logs (CONCIERGE_STATE_DIR; default: $STATE_DIRECTORY or /var/lib/concierge)\n" +
        "  --image-dir  system guest images vmlinuz, initramfs.cpio.gz (CONCIERGE_IMAGE_DIR; default: /usr/share/concierge/guest)\n" +
        "  --log-level  verbose, debug, information, warning or error (CONCIERGE_LOG_LEVEL; default: information)\n";

    private static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal)
    {
        ["address"] = "CONCIERGE_ADDRESS",
        ["state-dir"] = "CONCIERGE_STATE_DIR",
        ["image-dir"] = "CONCIERGE_IMAGE_DIR",
        ["log-level"] = "CONCIERGE_LOG_LEVEL",
    };

    /// <summary>The bus address; null for the system bus.</summary>
    public string? Address { get; init; }

    /// <summary>The state directory.</summary>
    public string StateDirectory { get; init; } = StorageLayout.DefaultRoot;

    /// <summary>The system guest image directory.</summary>
    public string ImageDirectory { get; init; } = DefaultImageDirectory;

    /// <summary>The lowest logged level.</summary>
    public LogEventLevel LogLevel { get; init; } = LogEventLevel.Information;

    /// <summary>True when --help was asked for.</summary>
    public bool ShowHelp { get; init; }

    /// <summary>Parses <paramref name="args"/> over the environment; <see cref="ArgumentException"/> says what is wrong.</summary>
    public static ServiceOptions Parse(IReadOnlyList<string> args, Func<string, string?> getEnvironment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(getEnvironment);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (option, variable) in Environment)
        {
            if (getEnvironment(variable) is { Length: > 0 } value)
            {
                values[option] = value;
            }
        }
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
            {
                return new ServiceOptions { ShowHelp = true };
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg[2..] : arg[2..equals];
            if (!Environment.ContainsKey(name))
            {
                throw new ArgumentException($"unknown option '--{name}'");
            }
            if (equals >= 0)
            {
                values[name] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"option '--{name}' needs a value");
            }
        }
        return new ServiceOptions
        {
            Address = values.GetValueOrDefault("address"),
            StateDirectory = values.GetValueOrDefault("state-dir") ?? FirstStateDirectory(getEnvironment("STATE_DIRECTORY")) ?? StorageLayout.DefaultRoot,
            ImageDirectory = values.GetValueOrDefault("image-dir") ?? DefaultImageDirectory,
            LogLevel = values.TryGetValue("log-level", out var level) ? ParseLevel(level) : LogEventLevel.Information,
        };
    }

    // systemd's StateDirectory= may list several, colon-separated; ours is the first.
    private static string? FirstStateDirectory(string? value) =>
        string.IsNullOrEmpty(value) ? null : value.Split(':')[0];

    private static LogEventLevel ParseLevel(string text) =>
        Enum.TryParse<LogEventLevel>(text, ignoreCase: true, out var level) && Enum.IsDefined(level) && !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? level
            : throw new ArgumentException($"unknown log level '{text}'");
}
