namespace Concierge.DBus.Server;

/// <summary>Who may do what with a property.</summary>
public enum PropertyAccess
{
    /// <summary>Get only.</summary>
    Read,

    /// <summary>Set only.</summary>
    Write,

    /// <summary>Get and Set.</summary>
    ReadWrite,
}
