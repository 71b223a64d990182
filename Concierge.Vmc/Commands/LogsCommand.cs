using System.Text.Json.Nodes;
using Concierge.Client;
using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>
/// vmc logs: the VM's console log as the service keeps it. --follow polls for more twice a second
/// and prints only what is new, until the VM stops or Ctrl-C.
/// </summary>
internal static class LogsCommand
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<int> RunAsync(VmcSession session, string name, bool follow, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var log = await client.ChromeOs.GetVmLogsAsync(name, cancellationToken);
        if (session.Json && !follow)
        {
            await session.Console.Out.WriteLineAsync(JsonViews.Document(new JsonObject { ["vm"] = name, ["log"] = log }));
            return ExitCodes.Success;
        }
        await WriteAsync(session, name, log);
        if (!follow)
        {
            return ExitCodes.Success;
        }
        try
        {
            while (true)
            {
                await Task.Delay(FollowInterval, session.Clock, cancellationToken);
                var latest = await client.ChromeOs.GetVmLogsAsync(name, cancellationToken);
                // The service keeps a bounded tail: when the old text is no longer a prefix, it rolled over; print it whole.
                await WriteAsync(session, name, latest.StartsWith(log, StringComparison.Ordinal) ? latest[log.Length..] : latest);
                log = latest;
                var vm = await client.ChromeOs.GetVmInfoAsync(name, cancellationToken);
                if (vm.State is VmState.Stopped or VmState.Failed)
                {
                    return ExitCodes.Success;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C is how --follow normally ends; it exits as an interrupted shell command does.
            return ExitCodes.Interrupted;
        }
    }

    private static async Task WriteAsync(VmcSession session, string name, string text)
    {
        if (text.Length == 0)
        {
            return;
        }
        await session.Console.Out.WriteAsync(session.Json ? JsonViews.Line(new JsonObject { ["vm"] = name, ["log"] = text }) + "\n" : text);
        await session.Console.Out.FlushAsync();
    }
}
