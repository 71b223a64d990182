namespace Concierge.Service.Errors;

/// <summary>
/// The caller asked for something only another user or root may do (act for another owner, open an
/// image it could not open itself). Typed face: org.freedesktop.DBus.Error.AccessDenied.
/// </summary>
public sealed class CallerAccessDeniedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CallerAccessDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Standard constructor.</summary>
    public CallerAccessDeniedException()
        : base("access denied")
    {
    }

    /// <summary>Standard constructor.</summary>
    public CallerAccessDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
