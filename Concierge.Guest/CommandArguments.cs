using System.Globalization;
using Concierge.Guest.Config;

namespace Concierge.Guest;

/// <summary>
/// A subcommand's arguments: "--name value" options (a name may repeat) up to an optional
/// "--", after which everything is the program to run.
/// </summary>
internal sealed class CommandArguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);

    public CommandArguments(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == "--")
            {
                Program = [.. arguments.Skip(i + 1)];
                return;
            }
            if (!arguments[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= arguments.Count)
            {
                throw new ConfigException($"expected --name value, got '{arguments[i]}'");
            }
            var name = arguments[i][2..];
            if (!_options.TryGetValue(name, out var values))
            {
                _options[name] = values = [];
            }
            values.Add(arguments[++i]);
        }
    }

    /// <summary>Everything after "--".</summary>
    public IReadOnlyList<string> Program { get; } = [];

    public string? Optional(string name) => _options.TryGetValue(name, out var values) ? values[^1] : null;

    public string Required(string name) => Optional(name) ?? throw new ConfigException($"--{name} is required");

    public IReadOnlyList<string> All(string name) => _options.TryGetValue(name, out var values) ? values : [];

    public int RequiredInt(string name) =>
        int.TryParse(Required(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ConfigException($"--{name} must be a non-negative integer");

    /// <summary>The program after "--", which must not be empty.</summary>
    public IReadOnlyList<string> RequiredProgram() =>
        Program.Count > 0 ? Program : throw new ConfigException("no program given after --");
}
