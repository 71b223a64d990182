namespace Concierge.Client;

/// <summary>The VM's state does not allow the request (e.g. Exec on a stopped VM, Resume of a running one).</summary>
public sealed class InvalidVmStateException : ConciergeException
{
    /// <summary>Creates the exception with a message that says what to do next.</summary>
    public InvalidVmStateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error underneath.</summary>
    public InvalidVmStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Standard constructor.</summary>
    public InvalidVmStateException()
        : base("the VM's state does not allow this")
    {
    }
}
