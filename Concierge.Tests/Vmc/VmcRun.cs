using Concierge.Vmc;

namespace Concierge.Tests.Vmc;

/// <summary>vmc run in-process with captured output (the same code path as the executable).</summary>
public sealed record VmcRun(int ExitCode, string Out, string Error)
{
    public string Output => Out + Error;

    public static async Task<VmcRun> RunAsync(params string[] args) => await RunAsync(args, stdin: string.Empty, interactive: false);

    public static async Task<VmcRun> RunAsync(string[] args, string stdin, bool interactive)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin);
        var code = await VmcApp.RunAsync(args, new VmcConsole(output, error, input, interactive, ErrorIsTerminal: false));
        return new VmcRun(code, output.ToString(), error.ToString());
    }
}
