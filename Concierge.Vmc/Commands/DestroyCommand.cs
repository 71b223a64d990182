using System.Text.Json.Nodes;
using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>
/// vmc destroy: deletes a VM's disk image. It asks first on a terminal. Without a terminal and
/// without -y it refuses (exit 7) instead of deleting: a script that forgot -y must not lose data
/// silently, and there is nobody to ask.
/// </summary>
internal static class DestroyCommand
{
    public static async Task<int> RunAsync(VmcSession session, string name, bool yes, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        if (!yes && !await ConfirmAsync(session, name, cancellationToken))
        {
            return ExitCodes.NotConfirmed;
        }
        await client.ChromeOs.DestroyDiskImageAsync(name, cancellationToken);
        await session.Console.Out.WriteLineAsync(session.Json
            ? JsonViews.Document(new JsonObject { ["name"] = name, ["destroyed"] = true })
            : $"Destroyed the disk of '{name}'");
        return ExitCodes.Success;
    }

    private static async Task<bool> ConfirmAsync(VmcSession session, string name, CancellationToken cancellationToken)
    {
        var error = session.Console.Error;
        if (!session.Console.InputIsTerminal)
        {
            await error.WriteLineAsync($"vmc: not destroying the disk of '{name}': stdin is not a terminal, so nobody can confirm; pass -y to destroy it");
            return false;
        }
        await error.WriteLineAsync($"WARNING: this deletes all data stored in VM '{name}'.");
        await error.WriteAsync("Continue? (y/N) ");
        await error.FlushAsync(cancellationToken);
        var answer = (await session.Console.In.ReadLineAsync(cancellationToken))?.Trim().ToLowerInvariant();
        if (answer is "y" or "yes")
        {
            return true;
        }
        await error.WriteLineAsync("Not destroyed.");
        return false;
    }
}
