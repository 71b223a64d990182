using Concierge.Vmc.Output;

namespace Concierge.Vmc.Commands;

/// <summary>vmc create: the VM's disk image (raw, sparse), kept by the service in your storage directory.</summary>
internal static class CreateCommand
{
    public static async Task<int> RunAsync(VmcSession session, string name, ulong sizeBytes, CancellationToken cancellationToken)
    {
        await using var client = await session.ConnectAsync(cancellationToken);
        var disk = await client.ChromeOs.CreateDiskImageAsync(name, sizeBytes, cancellationToken);
        await session.Console.Out.WriteLineAsync(session.Json
            ? JsonViews.Document(JsonViews.Disk(disk))
            : $"Created the disk of '{name}' ({Humanize.Bytes(disk.SizeBytes)}) at {disk.Path}");
        return ExitCodes.Success;
    }
}
