namespace Concierge.Service.Errors;

/// <summary>
/// The service is stopping every VM (SIGTERM): like Chrome OS, later requests get a D-Bus error
/// "Shutdown in progress" instead of starting anything new.
/// </summary>
public sealed class ServiceShuttingDownException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServiceShuttingDownException()
        : base("Shutdown in progress")
    {
    }

    /// <summary>Standard constructor.</summary>
    public ServiceShuttingDownException(string message)
        : base(message)
    {
    }

    /// <summary>Standard constructor.</summary>
    public ServiceShuttingDownException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
