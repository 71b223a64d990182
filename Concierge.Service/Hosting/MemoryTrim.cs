using Serilog;

namespace Concierge.Service.Hosting;

/// <summary>
/// Gives memory back after a burst. The GC runs only when the service allocates, so after a
/// caller's 32 MiB messages (refused, but read in full by the bus library) the freed buffers stay
/// resident for as long as the service then idles: hours, for a service that mostly waits. Every
/// <see cref="Interval"/>, if more than <see cref="Burst"/> was allocated since the last look, a
/// full compacting collection returns what is no longer used to the system. Under steady load
/// that costs one full GC per interval at most.
/// </summary>
public sealed class MemoryTrim
{
    /// <summary>How often allocation is looked at.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>Allocation within one interval that counts as a burst.</summary>
    public const long Burst = 64L << 20;

    private readonly ILogger _log;

    /// <summary>Creates the trimmer.</summary>
    public MemoryTrim(ILogger log)
    {
        _log = log.ForContext<MemoryTrim>();
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        var seen = GC.GetTotalAllocatedBytes();
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var allocated = GC.GetTotalAllocatedBytes();
            if (allocated - seen >= Burst)
            {
                var before = Environment.WorkingSet;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                _log.Debug("Allocated {AllocatedMiB} MiB in {Interval}; after a full collection RSS {BeforeMiB} -> {AfterMiB} MiB",
                    (allocated - seen) >> 20, Interval, before >> 20, Environment.WorkingSet >> 20);
            }
            seen = GC.GetTotalAllocatedBytes();
        }
    }
}
