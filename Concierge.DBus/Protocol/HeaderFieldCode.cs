namespace Concierge.DBus.Protocol;

/// <summary>Codes of the header fields; other codes must be accepted and ignored.</summary>
public enum HeaderFieldCode : byte
{
    /// <summary>Never valid.</summary>
    Invalid = 0,

    /// <summary>Object path (o).</summary>
    Path = 1,

    /// <summary>Interface name (s).</summary>
    Interface = 2,

    /// <summary>Member name (s).</summary>
    Member = 3,

    /// <summary>Error name (s).</summary>
    ErrorName = 4,

    /// <summary>Serial this message replies to (u).</summary>
    ReplySerial = 5,

    /// <summary>Destination bus name (s).</summary>
    Destination = 6,

    /// <summary>Sender unique name, set by the bus (s).</summary>
    Sender = 7,

    /// <summary>Body signature (g).</summary>
    Signature = 8,

    /// <summary>Number of fds carried (u).</summary>
    UnixFds = 9,
}
