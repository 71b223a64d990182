using System.Text;
using Concierge.Client;

namespace Concierge.Vmc.Commands;

/// <summary>
/// vmc exec: runs a command in the VM's container (typed face Vm.Exec), relays its stdout and
/// stderr unchanged and exits with its status. When the VM cannot run the command, it exits 125
/// (like docker), so a script can tell "the command failed" from "vmc failed"; a missing VM,
/// service or permission exits with its own code from the table.
/// </summary>
internal static class ExecCommand
{
    public static async Task<int> RunAsync(VmcSession session, string name, IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        ExecResult result;
        try
        {
            await using var client = await session.ConnectAsync(cancellationToken);
            var vm = await client.Manager.GetVmAsync(name, cancellationToken);
            result = await vm.ExecAsync(argv, cancellationToken);
        }
        catch (ConciergeException e) when (ExitCodes.For(e) == ExitCodes.Failed)
        {
            await session.Console.Error.WriteLineAsync($"vmc: {e.Message}");
            return ExitCodes.ExecFailed;
        }
        await WriteAsync(session.Console.RawOut, session.Console.Out, result.StandardOutput, cancellationToken);
        await WriteAsync(session.Console.RawError, session.Console.Error, result.StandardError, cancellationToken);
        return result.ExitCode;
    }

    private static async Task WriteAsync(Stream? raw, TextWriter text, byte[] bytes, CancellationToken cancellationToken)
    {
        if (bytes.Length == 0)
        {
            return;
        }
        if (raw is not null)
        {
            await raw.WriteAsync(bytes, cancellationToken);
            await raw.FlushAsync(cancellationToken);
            return;
        }
        await text.WriteAsync(Encoding.UTF8.GetString(bytes));
        await text.FlushAsync(cancellationToken);
    }
}
