using System.CommandLine;
using System.CommandLine.Parsing;

namespace Concierge.Vmc.Cli;

/// <summary>
/// What vmc prints for a command line it cannot run: each problem once, in words that name what
/// is wrong, then one hint that says where the usage is. The parser's own reports are kept where
/// they say that already; those that do not (a missing command, missing arguments reported once
/// per argument, an unknown word reported along with the command it displaced) are replaced.
/// </summary>
internal static class UsageErrors
{
    /// <summary>The problems of <paramref name="parse"/>, each once and without the "vmc: " prefix.</summary>
    public static IReadOnlyList<string> Describe(RootCommand root, ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (command == root)
        {
            var commands = string.Join(", ", root.Subcommands.Select(c => c.Name));
            var problem = parse.UnmatchedTokens.Count > 0
                ? $"'{parse.UnmatchedTokens[0]}' is not a vmc command or option"
                : "no command given";
            return [$"{problem}; the commands are {commands}"];
        }
        var lines = new List<string>();
        // A missing argument is an error without tokens; its report names only the command.
        var missing = parse.Errors.Where(e => e.SymbolResult is ArgumentResult { Tokens.Count: 0 }).ToList();
        if (missing.Count > 0)
        {
            var names = missing.Select(e => ((ArgumentResult)e.SymbolResult!).Argument.Name.ToUpperInvariant());
            lines.Add($"'vmc {command.Name}' needs {string.Join(" and ", names)}");
        }
        lines.AddRange(parse.Errors.Except(missing).Select(e => e.Message).Distinct());
        return lines;
    }

    /// <summary>Where the usage of what was typed is: the command's own help once a command was named.</summary>
    public static string Hint(RootCommand root, ParseResult parse) =>
        parse.CommandResult.Command == root ? "Try 'vmc --help'." : $"Try 'vmc {parse.CommandResult.Command.Name} --help'.";
}
