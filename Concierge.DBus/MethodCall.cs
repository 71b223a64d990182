using Concierge.DBus.Protocol;

namespace Concierge.DBus;

/// <summary>What to call: destination, object, interface, member, body and flags.</summary>
public sealed class MethodCall
{
    /// <summary>The bus name to call; null on peer-to-peer connections.</summary>
    public string? Destination { get; init; }

    /// <summary>The object path.</summary>
    public required string Path { get; init; }

    /// <summary>The interface; optional but strongly recommended.</summary>
    public string? Interface { get; init; }

    /// <summary>The method name.</summary>
    public required string Member { get; init; }

    /// <summary>The body signature (must describe <see cref="Body"/>).</summary>
    public string Signature { get; init; } = string.Empty;

    /// <summary>The marshalled arguments, or null for none.</summary>
    public MessageWriter? Body { get; init; }

    /// <summary>Extra header flags (NoAutoStart, AllowInteractiveAuthorization).</summary>
    public MessageFlags Flags { get; init; }

    /// <summary>How long to wait for the reply; null means <see cref="DBusConnection.DefaultCallTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    internal MessageHeader ToHeader(uint serial, bool noReply) => new()
    {
        Type = MessageType.MethodCall,
        Flags = noReply ? Flags | MessageFlags.NoReplyExpected : Flags & ~MessageFlags.NoReplyExpected,
        Serial = serial,
        Destination = Destination,
        Path = Path,
        Interface = Interface,
        Member = Member,
        Signature = Signature,
    };
}
