namespace Concierge.DBus.Protocol;

/// <summary>The fixed header and the known header fields of a message (sent or received).</summary>
internal sealed class MessageHeader
{
    public MessageType Type { get; set; }

    public MessageFlags Flags { get; set; }

    public uint Serial { get; set; }

    public bool BigEndian { get; set; }

    public string? Path { get; set; }

    public string? Interface { get; set; }

    public string? Member { get; set; }

    public string? ErrorName { get; set; }

    public uint ReplySerial { get; set; }

    public string? Destination { get; set; }

    public string? Sender { get; set; }

    public string Signature { get; set; } = string.Empty;

    public uint UnixFds { get; set; }
}
