namespace Concierge.DBus.Protocol;

/// <summary>
/// Thrown when bytes from a peer (or values given to a writer) break the D-Bus wire format.
/// On a connection this is fatal: the spec asks us to drop a peer that speaks invalid protocol.
/// </summary>
public sealed class DBusProtocolException : Exception
{
    /// <summary>Creates the exception with a message saying what was wrong.</summary>
    public DBusProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public DBusProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DBusProtocolException()
        : base("D-Bus protocol violation")
    {
    }
}
