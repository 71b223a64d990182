namespace Concierge.Service.Supervision;

/// <summary>The guest received a command and reported that it failed.</summary>
public sealed class GuestCommandException : Exception
{
    /// <summary>Creates the exception with the guest's explanation.</summary>
    public GuestCommandException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the guest's explanation and a cause.</summary>
    public GuestCommandException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public GuestCommandException() : base("the guest reported a failure")
    {
    }
}
