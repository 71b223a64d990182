namespace Concierge.DBus.Protocol;

/// <summary>The message type byte of the header.</summary>
public enum MessageType : byte
{
    /// <summary>Never valid on the wire.</summary>
    Invalid = 0,

    /// <summary>A method call; expects a reply unless <see cref="MessageFlags.NoReplyExpected"/> is set.</summary>
    MethodCall = 1,

    /// <summary>A successful reply.</summary>
    MethodReturn = 2,

    /// <summary>An error reply.</summary>
    Error = 3,

    /// <summary>A signal emission.</summary>
    Signal = 4,
}
