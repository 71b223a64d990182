namespace Concierge.DBus.Protocol;

/// <summary>The flags byte of the header. Unknown bits are ignored on receive.</summary>
[Flags]
public enum MessageFlags : byte
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>The caller does not want a reply; the callee must not send one.</summary>
    NoReplyExpected = 0x1,

    /// <summary>The bus must not auto-start the destination.</summary>
    NoAutoStart = 0x2,

    /// <summary>The caller is prepared to wait for interactive authorization.</summary>
    AllowInteractiveAuthorization = 0x4,
}
