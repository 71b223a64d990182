namespace Concierge.Bench.Service;

/// <summary>Wall-clock microseconds since the Unix epoch: the clock the service's VmInfo times use.</summary>
internal static class Clock
{
    public static long NowUsec() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
}
