namespace Concierge.Client;

/// <summary>The standard error names (<c>org.freedesktop.DBus.Error.*</c>) the client tells apart; Tmds.DBus.Protocol has no list of them.</summary>
internal static class DBusErrorNames
{
    private const string Prefix = "org.freedesktop.DBus.Error.";

    public const string ServiceUnknown = Prefix + "ServiceUnknown";
    public const string NameHasNoOwner = Prefix + "NameHasNoOwner";
    public const string AccessDenied = Prefix + "AccessDenied";
    public const string InvalidArgs = Prefix + "InvalidArgs";
    public const string NoReply = Prefix + "NoReply";
    public const string Timeout = Prefix + "Timeout";
    public const string UnknownMethod = Prefix + "UnknownMethod";
    public const string UnknownInterface = Prefix + "UnknownInterface";
    public const string NotSupported = Prefix + "NotSupported";
}
