namespace Concierge.Client;

/// <summary>Anything the service or the bus refused; the subclasses say which kind. The message says what to do next.</summary>
public class ConciergeException : Exception
{
    /// <summary>Creates the exception with a message that says what to do next.</summary>
    public ConciergeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error underneath.</summary>
    public ConciergeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Standard constructor.</summary>
    public ConciergeException()
        : base("the Concierge service refused the request")
    {
    }
}
