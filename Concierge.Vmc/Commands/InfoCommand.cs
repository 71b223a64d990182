using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>vmc info: everything about one VM.</summary>
internal static class InfoCommand
{
    public static async Task<int> RunAsync(VmcSession session, string name, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var vm = await client.ChromeOs.GetVmInfoAsync(name, cancellationToken);
        await session.Console.Out.WriteAsync(session.Json
            ? JsonViews.Document(JsonViews.Vm(vm, session.Now)) + "\n"
            : VmViews.Info(vm, session.Now));
        return ExitCodes.Success;
    }
}
