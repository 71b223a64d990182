namespace Concierge.GuestLink;

/// <summary>A frame's body did not parse as the expected message.</summary>
public sealed class MalformedFrameException(string messageType, Exception inner)
    : FrameException($"frame is not a valid {messageType}: {inner.Message}", inner);
