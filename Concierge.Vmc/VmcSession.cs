using Concierge.Client;

namespace Concierge.Vmc;

/// <summary>What every command gets: the console, the output mode, the bus to use and the clock.</summary>
internal sealed class VmcSession(VmcConsole console, string? address, bool json, TimeProvider clock)
{
    public VmcConsole Console { get; } = console;

    /// <summary>True for --json: results as JSON on stdout, no progress display.</summary>
    public bool Json { get; } = json;

    public TimeProvider Clock { get; } = clock;

    /// <summary>Connects to --address, else DBUS_SYSTEM_BUS_ADDRESS, else the system bus, and checks the service runs.</summary>
    public async Task<ConciergeClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = await ConciergeClient.ConnectAsync(address, cancellationToken);
        try
        {
            await client.EnsureServiceRunningAsync(cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public DateTimeOffset Now => Clock.GetUtcNow();
}
