namespace Concierge.Vmm;

/// <summary>
/// The caller asked for a VM that cannot be built as described (a malformed kernel image, an
/// initrd that does not fit, an impossible vCPU count, ...). The message says what and why;
/// the service maps it to an invalid-argument error.
/// </summary>
public class VmConfigException : Exception
{
    /// <summary>Creates the exception with a message that names the bad input.</summary>
    public VmConfigException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that revealed the problem.</summary>
    public VmConfigException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public VmConfigException() : base("invalid VM configuration")
    {
    }
}
