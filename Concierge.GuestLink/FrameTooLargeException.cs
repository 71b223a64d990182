namespace Concierge.GuestLink;

/// <summary>A frame announced (or a message needs) more bytes than the codec's limit.</summary>
public sealed class FrameTooLargeException(long length, int limit)
    : FrameException($"frame of {length} bytes is over the limit of {limit} bytes")
{
    /// <summary>The refused length.</summary>
    public long Length { get; } = length;
}
