namespace Concierge.Client;

/// <summary>The bus policy or the service refused this caller (not root and not in group concierge, or another user's VM or file).</summary>
public sealed class ConciergeAccessDeniedException : ConciergeException
{
    /// <summary>Creates the exception with a message that says what to do next.</summary>
    public ConciergeAccessDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error underneath.</summary>
    public ConciergeAccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Standard constructor.</summary>
    public ConciergeAccessDeniedException()
        : base("access denied")
    {
    }
}
