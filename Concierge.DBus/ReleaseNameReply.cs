namespace Concierge.DBus;

/// <summary>Reply codes of <c>org.freedesktop.DBus.ReleaseName</c>.</summary>
public enum ReleaseNameReply : uint
{
    /// <summary>We released the name.</summary>
    Released = 1,

    /// <summary>Nobody owns the name.</summary>
    NonExistent = 2,

    /// <summary>Someone else owns it.</summary>
    NotOwner = 3,
}
