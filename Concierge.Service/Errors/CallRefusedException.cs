namespace Concierge.Service.Errors;

/// <summary>
/// A call refused at the D-Bus level with a standard error name (no such object, interface,
/// method or property; arguments of the wrong signature). The dispatcher replies with
/// <see cref="ErrorName"/> on both faces.
/// </summary>
public sealed class CallRefusedException : Exception
{
    /// <summary>Refuses with <paramref name="errorName"/> and <paramref name="message"/>.</summary>
    public CallRefusedException(string errorName, string message)
        : base(message)
    {
        ErrorName = errorName;
    }

    /// <summary>Standard constructor (org.freedesktop.DBus.Error.Failed).</summary>
    public CallRefusedException()
        : this(Contracts.DBusErrorNames.Failed, "the call was refused")
    {
    }

    /// <summary>Standard constructor (org.freedesktop.DBus.Error.Failed).</summary>
    public CallRefusedException(string message)
        : this(Contracts.DBusErrorNames.Failed, message)
    {
    }

    /// <summary>Standard constructor (org.freedesktop.DBus.Error.Failed).</summary>
    public CallRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorName = Contracts.DBusErrorNames.Failed;
    }

    /// <summary>The D-Bus error name of the reply.</summary>
    public string ErrorName { get; }

    /// <summary>The answer to a member that is declared but has no handler: UnknownMethod, never some other method's work.</summary>
    public static CallRefusedException NotImplemented(string interfaceName, string member) =>
        new(Contracts.DBusErrorNames.UnknownMethod, $"{interfaceName}.{member} is not implemented");
}
