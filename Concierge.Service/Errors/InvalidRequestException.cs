namespace Concierge.Service.Errors;

/// <summary>
/// A caller sent something the service refuses (a malformed name, an out-of-range size).
/// The D-Bus layer turns it into <c>success = false</c> with <see cref="Exception.Message"/>
/// as the failure reason (or InvalidArgs on the typed face); it never reaches the host.
/// </summary>
public sealed class InvalidRequestException : Exception
{
    /// <summary>Creates the exception for the request field <paramref name="field"/>.</summary>
    public InvalidRequestException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>Creates the exception without a field name (for the standard constructors).</summary>
    public InvalidRequestException()
        : this("request", "invalid request")
    {
    }

    /// <summary>Creates the exception without a field name.</summary>
    public InvalidRequestException(string message)
        : this("request", message)
    {
    }

    /// <summary>Creates the exception without a field name, wrapping <paramref name="innerException"/>.</summary>
    public InvalidRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "request";
    }

    /// <summary>The request field at fault, e.g. <c>name</c> or <c>owner_id</c>.</summary>
    public string Field { get; }
}
