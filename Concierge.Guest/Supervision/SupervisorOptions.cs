using Concierge.Guest.Config;
using Concierge.GuestLink.Protocol;

namespace Concierge.Guest.Supervision;

/// <summary>The supervisor's limits and its connections to the rest of the init.</summary>
internal sealed record SupervisorOptions
{
    public int MaxRestarts { get; init; } = 10;

    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Environment of services that configure none.</summary>
    public IReadOnlyList<string> DefaultEnvironment { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "TERM=linux"];

    /// <summary>What to spawn for a service: its argv, or the container launcher around it.</summary>
    public Func<ServiceConfig, IReadOnlyList<string>> BuildArgv { get; init; } = service => service.Argv;

    /// <summary>Called for every exit (the host link forwards it).</summary>
    public Action<ProcessExited> Report { get; init; } = _ => { };

    /// <summary>Called with a reason when a shutdown-on-exit service ends.</summary>
    public Action<string> RequestShutdown { get; init; } = _ => { };
}
