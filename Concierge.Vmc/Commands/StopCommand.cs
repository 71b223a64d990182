using Concierge.Client;
using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>
/// vmc stop: asks the guest to shut down, then the service stops the monitor. Unlike Chrome OS's
/// StopVm (success for an unknown VM), vmc first checks the VM exists, so a typo says so (exit 5).
/// </summary>
internal static class StopCommand
{
    public static async Task<int> RunAsync(VmcSession session, string name, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var before = await client.ChromeOs.GetVmInfoAsync(name, cancellationToken);
        if (before.State is not (VmState.Stopped or VmState.Failed))
        {
            await client.ChromeOs.StopVmAsync(name, cancellationToken);
        }
        var after = await client.ChromeOs.GetVmInfoAsync(name, cancellationToken);
        if (session.Json)
        {
            await session.Console.Out.WriteLineAsync(JsonViews.Document(JsonViews.Vm(after, session.Now)));
        }
        else
        {
            await session.Console.Out.WriteLineAsync(before.State is VmState.Stopped or VmState.Failed
                ? $"VM '{name}' is not running ({Humanize.Word(before.State)})"
                : $"VM '{name}' is {Humanize.Word(after.State)}");
        }
        return ExitCodes.Success;
    }
}
