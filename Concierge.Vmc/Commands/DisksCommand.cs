using System.Text.Json.Nodes;
using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>vmc disks: the caller's disk images and their total size.</summary>
internal static class DisksCommand
{
    public static async Task<int> RunAsync(VmcSession session, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var disks = await client.ChromeOs.ListVmDisksAsync(cancellationToken);
        if (session.Json)
        {
            var array = new JsonArray([.. disks.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => (JsonNode)JsonViews.Disk(d))]);
            await session.Console.Out.WriteLineAsync(JsonViews.Document(array));
        }
        else if (disks.Count == 0)
        {
            await session.Console.Out.WriteLineAsync("No disk images. Create one with 'vmc create NAME SIZE'.");
        }
        else
        {
            await session.Console.Out.WriteAsync(VmViews.Disks(disks));
        }
        return ExitCodes.Success;
    }
}
