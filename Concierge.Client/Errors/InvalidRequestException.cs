namespace Concierge.Client;

/// <summary>An argument was rejected, by the client or the service (a malformed name, size, path, address, option).</summary>
public sealed class InvalidRequestException : ConciergeException
{
    /// <summary>Creates the exception with a message that says what to do next.</summary>
    public InvalidRequestException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error underneath.</summary>
    public InvalidRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Standard constructor.</summary>
    public InvalidRequestException()
        : base("invalid request")
    {
    }
}
