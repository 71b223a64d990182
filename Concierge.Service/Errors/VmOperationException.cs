namespace Concierge.Service.Errors;

/// <summary>
/// The request was valid and the VM in the right state, but the monitor could not carry it out
/// (a pause that timed out). Typed face: org.freedesktop.DBus.Error.Failed with the reason.
/// </summary>
public sealed class VmOperationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public VmOperationException(string message)
        : base(message)
    {
    }

    /// <summary>Standard constructor.</summary>
    public VmOperationException()
        : base("the monitor could not carry out the request")
    {
    }

    /// <summary>Standard constructor.</summary>
    public VmOperationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
