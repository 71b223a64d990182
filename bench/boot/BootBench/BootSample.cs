namespace Concierge.Bench.Boot;

/// <summary>One boot: wall time from start to the /init marker and to the end of the VM (null if it never got there).</summary>
internal sealed record BootSample(TimeSpan? ToInit, TimeSpan? ToExit, string Note);
