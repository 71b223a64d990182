namespace Concierge.GuestLink;

/// <summary>The peer broke the framing rules; the connection cannot be trusted any more and is closed.</summary>
public abstract class FrameException : IOException
{
    /// <summary>A framing failure described by <paramref name="message"/>.</summary>
    protected FrameException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
