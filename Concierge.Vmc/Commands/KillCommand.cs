using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>vmc kill: stops the monitor at once (typed face Vm.Kill), without asking the guest.</summary>
internal static class KillCommand
{
    public static async Task<int> RunAsync(VmcSession session, string name, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var vm = await client.Manager.GetVmAsync(name, cancellationToken);
        await vm.KillAsync(cancellationToken);
        var after = await client.ChromeOs.GetVmInfoAsync(name, cancellationToken);
        await session.Console.Out.WriteLineAsync(session.Json
            ? JsonViews.Document(JsonViews.Vm(after, session.Now))
            : $"VM '{name}' was killed ({Humanize.Word(after.State)})");
        return ExitCodes.Success;
    }
}
