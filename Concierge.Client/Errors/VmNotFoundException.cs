namespace Concierge.Client;

/// <summary>The caller has no VM by that name (the service does not tell another user's VM apart from none).</summary>
public sealed class VmNotFoundException : ConciergeException
{
    /// <summary>Creates the exception with a message that says what to do next.</summary>
    public VmNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error underneath.</summary>
    public VmNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Standard constructor.</summary>
    public VmNotFoundException()
        : base("no such VM")
    {
    }
}
