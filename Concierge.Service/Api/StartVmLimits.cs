namespace Concierge.Service.Api;

/// <summary>Bounds and defaults for what a StartVm caller may ask for.</summary>
public sealed record StartVmLimits
{
    /// <summary>vCPUs when the request says 0.</summary>
    public uint DefaultVcpus { get; init; } = 1;

    /// <summary>Most vCPUs one VM may have.</summary>
    public uint MaxVcpus { get; init; } = (uint)Environment.ProcessorCount;

    /// <summary>Guest RAM when the request says 0.</summary>
    public ulong DefaultMemoryMiB { get; init; } = 512;

    /// <summary>Least guest RAM accepted (a stock kernel with an initramfs needs about this).</summary>
    public ulong MinMemoryMiB { get; init; } = 64;

    /// <summary>Most guest RAM accepted.</summary>
    public ulong MaxMemoryMiB { get; init; } = 64 * 1024;

    /// <summary>Startup timeout when the request says 0 (Chrome OS's default).</summary>
    public TimeSpan DefaultStartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest startup timeout accepted.</summary>
    public TimeSpan MaxStartupTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Heartbeat interval when the request says 0.</summary>
    public TimeSpan DefaultHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Shortest heartbeat interval accepted.</summary>
    public TimeSpan MinHeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest heartbeat interval accepted.</summary>
    public TimeSpan MaxHeartbeatInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Missed heartbeats when the request says 0.</summary>
    public uint DefaultMissedHeartbeats { get; init; } = 3;

    /// <summary>Most missed heartbeats accepted.</summary>
    public uint MaxMissedHeartbeats { get; init; } = 100;

    /// <summary>Most extra kernel parameters.</summary>
    public int MaxKernelParams { get; init; } = 64;

    /// <summary>Longest single kernel parameter, and longest path.</summary>
    public int MaxStringLength { get; init; } = 4096;
}
