namespace Concierge.DBus;

/// <summary>Flags of <c>org.freedesktop.DBus.RequestName</c>.</summary>
[Flags]
public enum RequestNameFlags : uint
{
    /// <summary>Queue for the name; do not let others take it.</summary>
    None = 0,

    /// <summary>Let a later requester with <see cref="ReplaceExisting"/> take the name.</summary>
    AllowReplacement = 0x1,

    /// <summary>Take the name from an owner that allows replacement.</summary>
    ReplaceExisting = 0x2,

    /// <summary>Fail rather than queue when the name is owned.</summary>
    DoNotQueue = 0x4,
}
