namespace Concierge.Service.Supervision;

/// <summary>The guest's host link is not connected (not booted yet, gone, or dropped while a command waited).</summary>
public sealed class GuestLinkUnavailableException : IOException
{
    /// <summary>Creates the exception with what was attempted.</summary>
    public GuestLinkUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with what was attempted and why the link failed.</summary>
    public GuestLinkUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public GuestLinkUnavailableException() : base("the guest is not connected")
    {
    }
}
