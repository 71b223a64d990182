namespace Concierge.Client;

/// <summary>The service rejected an argument (malformed name, size, path, option), or the VM's state does not allow the request.</summary>
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
