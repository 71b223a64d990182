namespace Concierge.DBus;

/// <summary>
/// The connection is gone (peer closed it, a protocol violation, an I/O error, or we disposed it).
/// Every pending call fails with it and <see cref="DBusConnection.Disconnected"/> yields it.
/// </summary>
public sealed class DBusConnectionClosedException : DBusException
{
    /// <summary>Creates the exception with the reason the connection closed.</summary>
    public DBusConnectionClosedException(string message)
        : base(DBusErrorNames.Disconnected, message)
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public DBusConnectionClosedException(string message, Exception innerException)
        : base(DBusErrorNames.Disconnected, message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DBusConnectionClosedException()
        : this("the D-Bus connection is closed")
    {
    }
}
