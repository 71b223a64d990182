namespace Concierge.Vmm;

/// <summary>
/// The guest did something a well-behaved guest never does (an address outside its RAM,
/// a malformed descriptor chain, ...). The monitor contains it: the device that saw it marks
/// itself broken or fails its own VM, never the process.
/// </summary>
public class GuestFaultException : Exception
{
    /// <summary>Creates the exception with a message that names what the guest did.</summary>
    public GuestFaultException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the fault that caused it.</summary>
    public GuestFaultException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public GuestFaultException() : base("the guest made an invalid request")
    {
    }
}
