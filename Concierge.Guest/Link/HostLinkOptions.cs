using Concierge.GuestLink;

namespace Concierge.Guest.Link;

/// <summary>Timing and limits of the host link.</summary>
internal sealed record HostLinkOptions
{
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait after a failed connect; doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest frame accepted from the host.</summary>
    public int MaxFrameBytes { get; init; } = FrameCodec.DefaultMaxFrameBytes;

    /// <summary>Events kept while disconnected; the oldest are dropped beyond this.</summary>
    public int MaxQueuedEvents { get; init; } = 256;
}
