namespace Concierge.DBus.Protocol;

/// <summary>Limits from the D-Bus specification and the ones this library adds, in one place.</summary>
public static class ProtocolLimits
{
    /// <summary>Largest message, header and body included (2^27 bytes).</summary>
    public const int MaxMessageLength = 128 * 1024 * 1024;

    /// <summary>Largest array payload (2^26 bytes).</summary>
    public const int MaxArrayLength = 64 * 1024 * 1024;

    /// <summary>Longest signature, in bytes, without its terminating NUL.</summary>
    public const int MaxSignatureLength = 255;

    /// <summary>Longest bus, interface, member or error name.</summary>
    public const int MaxNameLength = 255;

    /// <summary>Deepest nesting of arrays inside one signature.</summary>
    public const int MaxArrayDepth = 32;

    /// <summary>Deepest nesting of structs (and dict entries) inside one signature.</summary>
    public const int MaxStructDepth = 32;

    /// <summary>Deepest nesting of containers across variants (arrays + structs + variants).</summary>
    public const int MaxTotalDepth = 64;

    /// <summary>
    /// Most fds one message may carry. dbus-daemon's default is 16; we accept a few more so a
    /// peer-to-peer sender with a larger limit is not cut off, while still bounding what we hold.
    /// </summary>
    public const int MaxUnixFdsPerMessage = 64;
}
