using System.CommandLine;
using Concierge.Client;
using Concierge.Vmc.Cli;

namespace Concierge.Vmc;

/// <summary>Runs one vmc command line: parse, run, and turn every failure into a message and an exit status.</summary>
internal static class VmcApp
{
    public static Task<int> RunAsync(IReadOnlyList<string> args, VmcConsole console) => RunAsync(args, console, TimeProvider.System);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, VmcConsole console, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        var commandLine = new VmcCommandLine(console, clock);
        var parse = commandLine.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in Errors(commandLine, parse))
            {
                await console.Error.WriteLineAsync($"vmc: {error}");
            }
            await console.Error.WriteLineAsync("Try 'vmc --help' (or 'vmc COMMAND --help').");
            return ExitCodes.Usage;
        }
        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false },
                cancellationToken);
        }
        catch (ConciergeException e)
        {
            await console.Error.WriteLineAsync($"vmc: {e.Message}");
            return ExitCodes.For(e);
        }
        catch (OperationCanceledException)
        {
            await console.Error.WriteLineAsync("vmc: interrupted");
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>
    /// What to print for a bad command line, once: an unknown word where a command belongs is the one
    /// error (the parser would also report the missing command it displaced).
    /// </summary>
    private static IEnumerable<string> Errors(VmcCommandLine commandLine, ParseResult parse)
    {
        if (parse.CommandResult.Command == commandLine.Root && parse.UnmatchedTokens.Count > 0)
        {
            var commands = string.Join(", ", commandLine.Root.Subcommands.Select(c => c.Name));
            return [$"'{parse.UnmatchedTokens[0]}' is not a vmc command or option; the commands are {commands}"];
        }
        return parse.Errors.Select(e => e.Message);
    }
}
