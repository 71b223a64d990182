namespace Concierge.DBus;

/// <summary>Well-known error names of <c>dbus-protocol.h</c>.</summary>
public static class DBusErrorNames
{
    private const string Prefix = "org.freedesktop.DBus.Error.";

    /// <summary>Generic failure.</summary>
    public const string Failed = Prefix + "Failed";

    /// <summary>The destination name has no owner and cannot be started.</summary>
    public const string ServiceUnknown = Prefix + "ServiceUnknown";

    /// <summary>The name has no owner.</summary>
    public const string NameHasNoOwner = Prefix + "NameHasNoOwner";

    /// <summary>No reply arrived in time.</summary>
    public const string NoReply = Prefix + "NoReply";

    /// <summary>The operation is not supported.</summary>
    public const string NotSupported = Prefix + "NotSupported";

    /// <summary>A limit was exceeded.</summary>
    public const string LimitsExceeded = Prefix + "LimitsExceeded";

    /// <summary>Permission denied.</summary>
    public const string AccessDenied = Prefix + "AccessDenied";

    /// <summary>Authentication failed.</summary>
    public const string AuthFailed = Prefix + "AuthFailed";

    /// <summary>A timeout happened.</summary>
    public const string Timeout = Prefix + "Timeout";

    /// <summary>The arguments were wrong.</summary>
    public const string InvalidArgs = Prefix + "InvalidArgs";

    /// <summary>No such method.</summary>
    public const string UnknownMethod = Prefix + "UnknownMethod";

    /// <summary>No such object.</summary>
    public const string UnknownObject = Prefix + "UnknownObject";

    /// <summary>No such interface.</summary>
    public const string UnknownInterface = Prefix + "UnknownInterface";

    /// <summary>No such property.</summary>
    public const string UnknownProperty = Prefix + "UnknownProperty";

    /// <summary>The property cannot be set.</summary>
    public const string PropertyReadOnly = Prefix + "PropertyReadOnly";

    /// <summary>The connection was closed.</summary>
    public const string Disconnected = Prefix + "Disconnected";

    /// <summary>The caller must allow interactive authorization.</summary>
    public const string InteractiveAuthorizationRequired = Prefix + "InteractiveAuthorizationRequired";
}
