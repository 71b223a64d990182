namespace Concierge.DBus;

/// <summary>Reply codes of <c>org.freedesktop.DBus.RequestName</c>.</summary>
public enum RequestNameReply : uint
{
    /// <summary>We now own the name.</summary>
    PrimaryOwner = 1,

    /// <summary>We are queued behind the current owner.</summary>
    InQueue = 2,

    /// <summary>The name is owned and we did not queue.</summary>
    Exists = 3,

    /// <summary>We already owned it.</summary>
    AlreadyOwner = 4,
}
