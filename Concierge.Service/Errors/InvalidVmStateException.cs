namespace Concierge.Service.Errors;

/// <summary>
/// The VM exists but is not in a state for the request (suspend a stopped VM). Typed face:
/// org.chromium.VmConcierge.Error.InvalidState.
/// </summary>
public sealed class InvalidVmStateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidVmStateException(string message)
        : base(message)
    {
    }

    /// <summary>Standard constructor.</summary>
    public InvalidVmStateException()
        : base("the VM is not in a state for this request")
    {
    }

    /// <summary>Standard constructor.</summary>
    public InvalidVmStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
