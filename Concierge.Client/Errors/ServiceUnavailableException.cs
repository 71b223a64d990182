namespace Concierge.Client;

/// <summary>The bus cannot be reached, or nobody owns org.chromium.VmConcierge on it (the service is not running).</summary>
public sealed class ServiceUnavailableException : ConciergeException
{
    /// <summary>Creates the exception with a message that says what to do next.</summary>
    public ServiceUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error underneath.</summary>
    public ServiceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Standard constructor.</summary>
    public ServiceUnavailableException()
        : base("the Concierge service is not running")
    {
    }
}
