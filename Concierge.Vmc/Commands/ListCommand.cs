using System.Text.Json.Nodes;
using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>vmc list: every VM the caller may see.</summary>
internal static class ListCommand
{
    public static async Task<int> RunAsync(VmcSession session, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var vms = await client.ChromeOs.ListVmsAsync(cancellationToken);
        var now = session.Now;
        if (session.Json)
        {
            var array = new JsonArray([.. vms.OrderBy(vm => vm.Name, StringComparer.Ordinal).Select(vm => (JsonNode)JsonViews.Vm(vm, now))]);
            await session.Console.Out.WriteLineAsync(JsonViews.Document(array));
        }
        else if (vms.Count == 0)
        {
            await session.Console.Out.WriteLineAsync("No VMs. Start one with 'vmc start NAME'.");
        }
        else
        {
            await session.Console.Out.WriteAsync(VmViews.List(vms, now));
        }
        return ExitCodes.Success;
    }
}
