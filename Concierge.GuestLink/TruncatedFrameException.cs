namespace Concierge.GuestLink;

/// <summary>The stream ended in the middle of a frame.</summary>
public sealed class TruncatedFrameException(long expected, long received)
    : FrameException($"stream ended inside a frame: expected {expected} bytes, got {received}");
