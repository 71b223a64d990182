using Concierge.Client;

namespace Concierge.Vmc.Cli;

/// <summary>What <c>vmc start</c> was asked for, checked.</summary>
/// <param name="Name">The VM.</param>
/// <param name="Options">How to start it.</param>
/// <param name="WaitTimeout">How long vmc waits for the guest's hello.</param>
internal sealed record StartArguments(string Name, VmStartOptions Options, TimeSpan WaitTimeout)
{
    /// <summary>The service's own default startup timeout (StartVmRequest.timeout = 0).</summary>
    public static readonly TimeSpan ServiceDefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Extra wait beyond the startup timeout, so the service's verdict (failed) arrives before vmc gives up.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
}
