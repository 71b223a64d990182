namespace Concierge.Fuzz.Targets;

/// <summary>A target saw production code fail in a way hostile input must never cause.</summary>
public sealed class FuzzFindingException : Exception
{
    /// <summary>Creates the finding with what went wrong.</summary>
    public FuzzFindingException(string message) : base(message)
    {
    }

    /// <summary>Creates the finding with what went wrong and the exception that showed it.</summary>
    public FuzzFindingException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates a finding with a generic message.</summary>
    public FuzzFindingException() : base("fuzz finding")
    {
    }
}
