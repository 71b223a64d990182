namespace Concierge.DBus;

/// <summary>
/// A D-Bus error: received as an error reply to our call, or thrown by a method handler to send one
/// (<see cref="ErrorName"/> becomes the reply's error name, <see cref="Exception.Message"/> its text).
/// </summary>
public class DBusException : Exception
{
    /// <summary>Creates an error with a name from <see cref="DBusErrorNames"/> or a service's own.</summary>
    public DBusException(string errorName, string message)
        : base(message)
    {
        ErrorName = errorName;
    }

    /// <summary>Creates an error with a name, a message and the underlying cause.</summary>
    public DBusException(string errorName, string message, Exception? innerException)
        : base(message, innerException)
    {
        ErrorName = errorName;
    }

    /// <summary>Creates an <see cref="DBusErrorNames.Failed"/> error.</summary>
    public DBusException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorName = DBusErrorNames.Failed;
    }

    /// <summary>Creates an <see cref="DBusErrorNames.Failed"/> error.</summary>
    public DBusException()
        : this(DBusErrorNames.Failed, "D-Bus call failed")
    {
    }

    /// <summary>Creates an <see cref="DBusErrorNames.Failed"/> error.</summary>
    public DBusException(string message)
        : this(DBusErrorNames.Failed, message)
    {
    }

    /// <summary>The D-Bus error name, e.g. <c>org.freedesktop.DBus.Error.AccessDenied</c>.</summary>
    public string ErrorName { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{ErrorName}: {Message}";
}
