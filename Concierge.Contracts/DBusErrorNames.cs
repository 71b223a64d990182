namespace Concierge.Contracts;

/// <summary>The standard D-Bus error names the service answers with and the clients tell apart.</summary>
public static class DBusErrorNames
{
    private const string Prefix = "org.freedesktop.DBus.Error.";

    /// <summary>The request failed (the message says why).</summary>
    public const string Failed = Prefix + "Failed";

    /// <summary>The caller may not do this.</summary>
    public const string AccessDenied = Prefix + "AccessDenied";

    /// <summary>An argument is malformed or out of range.</summary>
    public const string InvalidArgs = Prefix + "InvalidArgs";

    /// <summary>No such method on the object (or a declared one without a handler).</summary>
    public const string UnknownMethod = Prefix + "UnknownMethod";

    /// <summary>No object at the path that the caller may see.</summary>
    public const string UnknownObject = Prefix + "UnknownObject";

    /// <summary>The object has no such interface.</summary>
    public const string UnknownInterface = Prefix + "UnknownInterface";

    /// <summary>The interface has no such property.</summary>
    public const string UnknownProperty = Prefix + "UnknownProperty";

    /// <summary>The property cannot be set.</summary>
    public const string PropertyReadOnly = Prefix + "PropertyReadOnly";

    /// <summary>Nobody owns the called name (the service is not running).</summary>
    public const string ServiceUnknown = Prefix + "ServiceUnknown";

    /// <summary>The called name has no owner.</summary>
    public const string NameHasNoOwner = Prefix + "NameHasNoOwner";

    /// <summary>No reply came in time.</summary>
    public const string NoReply = Prefix + "NoReply";

    /// <summary>The peer does not support the request.</summary>
    public const string NotSupported = Prefix + "NotSupported";

    /// <summary>A timeout passed.</summary>
    public const string Timeout = Prefix + "Timeout";
}
