using System.Globalization;
using System.Threading.Channels;
using Concierge.Client;
using Concierge.Contracts;
using Concierge.Vmc.Cli;
using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>
/// vmc start: StartVm on the Chrome OS face, then waits for the guest's hello, showing each state
/// as it changes. Lifecycle signals and PropertiesChanged wake the wait early; GetVmInfo is the
/// truth (polled at least once a second, so a lost signal costs a second, never a hang).
/// </summary>
internal static class StartCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(VmcSession session, StartArguments arguments, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var path = VmObjectPath.For(arguments.Name, client.Uid);
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var lifecycle = await client.ChromeOs.WatchLifecycleAsync(
            e => { if (e.Name == arguments.Name && e.OwnerId == client.OwnerId) { wake.Writer.TryWrite(true); } }, cancellationToken);
        using var properties = await client.Manager.WatchPropertiesAsync(
            change => { if (change.Path == path) { wake.Writer.TryWrite(true); } }, cancellationToken);

        var started = session.Clock.GetTimestamp();
        var progress = new StartProgress(session.Console.Error, arguments.Name, session.Console.ErrorIsTerminal, session.Json);
        VmDetails vm;
        try
        {
            vm = await client.ChromeOs.StartVmAsync(arguments.Name, arguments.Options, cancellationToken);
        }
        catch (ConciergeAccessDeniedException refused) when (arguments.Options.NamesFiles)
        {
            // The service opens by path only files under its image directory or this user's
            // storage; the user's own files elsewhere are opened here, as the user, and passed.
            vm = await StartWithOwnFilesAsync(client, arguments, refused, cancellationToken);
        }
        progress.Show(vm.State, session.Clock.GetElapsedTime(started));
        try
        {
            while (vm.State is VmState.Starting or VmState.Unknown)
            {
                if (session.Clock.GetElapsedTime(started) > arguments.WaitTimeout)
                {
                    throw new ConciergeTimeoutException(
                        $"VM '{arguments.Name}' is still starting after {Humanize.Seconds(arguments.WaitTimeout)}"
                        + $"{await ConsoleAdviceAsync(client, arguments.Name, cancellationToken)}; 'vmc stop {arguments.Name}' gives up");
                }
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                tick.CancelAfter(PollInterval);
                try
                {
                    await wake.Reader.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The poll interval passed without a signal: ask anyway.
                }
                vm = await client.ChromeOs.GetVmInfoAsync(arguments.Name, cancellationToken);
                progress.Show(vm.State, session.Clock.GetElapsedTime(started));
            }
        }
        finally
        {
            progress.Finish();
        }
        return await ReportAsync(session, client, vm, cancellationToken);
    }

    private static async Task<VmDetails> StartWithOwnFilesAsync(ConciergeClient client, StartArguments arguments,
        ConciergeAccessDeniedException refused, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ChromeOs.StartVmWithOwnFilesAsync(arguments.Name, arguments.Options, cancellationToken);
        }
        catch (ConciergeAccessDeniedException own)
        {
            throw new ConciergeAccessDeniedException($"{refused.Message}; and {own.Message}", own);
        }
    }

    private static async Task<int> ReportAsync(VmcSession session, ConciergeClient client, VmDetails vm, CancellationToken cancellationToken)
    {
        if (session.Json)
        {
            await session.Console.Out.WriteLineAsync(JsonViews.Document(JsonViews.Vm(vm, session.Now)));
        }
        if (vm.State is VmState.Running or VmState.Suspended)
        {
            if (!session.Json)
            {
                var boot = vm.BootDuration is { } duration ? $", booted in {Humanize.Seconds(duration)}" : string.Empty;
                await session.Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"VM '{vm.Name}' is {Humanize.Word(vm.State)}: cid {vm.Cid}, {vm.Vcpus} vCPUs, {Humanize.MiB(vm.MemoryMiB)}{boot}"));
            }
            return ExitCodes.Success;
        }
        var why = vm.FailureReason ?? vm.StopReason ?? Humanize.Word(vm.State);
        await session.Console.Error.WriteLineAsync($"vmc: VM '{vm.Name}' did not start: {why}{await ConsoleAdviceAsync(client, vm.Name, cancellationToken)}");
        return ExitCodes.Failed;
    }

    /// <summary>
    /// "; 'vmc logs NAME' shows its console" when there is something to read there; nothing when
    /// there is not (the service's reason then says that the console stayed empty).
    /// </summary>
    private static async Task<string> ConsoleAdviceAsync(ConciergeClient client, string name, CancellationToken cancellationToken) =>
        (await client.ChromeOs.GetVmLogsAsync(name, cancellationToken)).Length > 0 ? $"; 'vmc logs {name}' shows its console" : string.Empty;
}
