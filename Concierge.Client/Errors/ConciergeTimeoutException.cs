namespace Concierge.Client;

/// <summary>The service did not answer, or a VM did not reach the awaited state, in time.</summary>
public sealed class ConciergeTimeoutException : ConciergeException
{
    /// <summary>Creates the exception with a message that says what to do next.</summary>
    public ConciergeTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error underneath.</summary>
    public ConciergeTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Standard constructor.</summary>
    public ConciergeTimeoutException()
        : base("timed out")
    {
    }
}
