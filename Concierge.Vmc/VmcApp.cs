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
            foreach (var problem in UsageErrors.Describe(commandLine.Root, parse))
            {
                await console.Error.WriteLineAsync($"vmc: {problem}");
            }
            await console.Error.WriteLineAsync(UsageErrors.Hint(commandLine.Root, parse));
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
}
