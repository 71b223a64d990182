using System.Text;
using Concierge.DBus.Protocol;

namespace Concierge.Tests.DBus.Protocol;

/// <summary>
/// Hostile inputs for the message reader: each entry is a byte stream and whether the spec says it
/// must be accepted (e.g. unknown header fields, unknown message types) or rejected.
/// </summary>
public static class MalformedMessageCorpus
{
    public sealed record Case(string Name, byte[] Bytes, bool Accept)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<Case> All()
    {
        var valid = Call(w => w.WriteString("hello"), "s");
        yield return new("valid baseline", valid, true);
        yield return new("truncated in the fixed header", valid[..8], false);
        yield return new("truncated in the header fields", valid[..20], false);
        yield return new("truncated in the body", valid[..^1], false);
        yield return new("bad endianness byte", With(valid, 0, (byte)'X'), false);
        yield return new("protocol version 2", With(valid, 3, 2), false);
        yield return new("message type 0", With(valid, 1, 0), false);
        yield return new("unknown message type 42 is ignored", With(valid, 1, 42), true);
        yield return new("unknown flags are ignored", With(valid, 2, 0xf0), true);
        yield return new("serial 0", SetUInt32(valid, 8, 0), false);
        yield return new("body length past 128 MiB", SetUInt32(valid, 4, ProtocolLimits.MaxMessageLength + 1u), false);
        yield return new("header fields longer than 64 MiB", SetUInt32(valid, 12, ProtocolLimits.MaxArrayLength + 1u), false);
        yield return new("header field array longer than the header", SetUInt32(valid, 12, ReadUInt32(valid, 12) + 8), false);
        yield return new("non-zero header padding", NonZeroHeaderPadding(valid), false);
        yield return new("PATH field typed as string", Replace(valid, [1, 1, (byte)'o', 0], [1, 1, (byte)'s', 0]), false);
        yield return new("object path with empty element", Replace(valid, "/obj/path"u8, "/obj//ath"u8), false);
        yield return new("member starting with a digit", Replace(valid, "Member"u8, "1ember"u8), false);
        yield return new("interface with one element", Replace(valid, "org.Iface"u8, "orgxIface"u8), false);
        yield return new("method call without MEMBER", Replace(valid, [3, 1, (byte)'s', 0], [77, 1, (byte)'s', 0]), false);
        yield return new("unknown header field code is accepted", Replace(valid, [6, 1, (byte)'s', 0], [99, 1, (byte)'s', 0]), true);
        yield return new("duplicated header field", Replace(valid, [6, 1, (byte)'s', 0], [2, 1, (byte)'s', 0]), false);
        yield return new("invalid UTF-8 in a string", Replace(valid, "hello"u8, [0xff, (byte)'e', (byte)'l', (byte)'l', (byte)'o']), false);
        yield return new("overlong UTF-8 encoding", Replace(valid, "hello"u8, [0xc0, 0xaf, (byte)'l', (byte)'l', (byte)'o']), false);
        yield return new("UTF-16 surrogate encoded in UTF-8", Replace(valid, "hello"u8, [0xed, 0xa0, 0x80, (byte)'l', (byte)'o']), false);
        yield return new("embedded NUL in a string", Replace(valid, "hello"u8, "he\0lo"u8), false);
        yield return new("string without NUL terminator", Replace(valid, "hello\0"u8, "hellox"u8), false);
        yield return new("string length past the end", Replace(valid, [5, 0, 0, 0, (byte)'h'], [200, 0, 0, 0, (byte)'h']), false);
        yield return new("boolean 2", Call(w => w.WriteUInt32(2), "b"), false);
        yield return new("body longer than its signature", Call(w => w.WriteUInt32(1), "y"), false);
        yield return new("signature with unknown code", Call(w => w.WriteByte(1), "y", badSignature: "m"), false);
        yield return new("signature array without element", Call(w => w.WriteByte(1), "y", badSignature: "a"), false);
        yield return new("signature with unbalanced struct", Call(w => w.WriteByte(1), "y", badSignature: "(y"), false);
        yield return new("signature with empty struct", Call(w => w.WriteByte(1), "y", badSignature: "()"), false);
        yield return new("dict with non-basic key", Call(w => w.WriteByte(1), "y", badSignature: "a{vs}"), false);
        yield return new("dict entry outside an array", Call(w => w.WriteByte(1), "y", badSignature: "{ys}"), false);
        yield return new("33 nested arrays", Call(w => w.WriteByte(1), "y", badSignature: new string('a', 33) + "y"), false);
        yield return new("33 nested structs", Call(w => w.WriteByte(1), "y", badSignature: new string('(', 33) + "y" + new string(')', 33)), false);
        yield return new("variant nesting bomb", VariantBomb(200), false);
        yield return new("variant nesting within the limit", VariantBomb(30), true);
        yield return new("array longer than 64 MiB", Call(w => w.WriteUInt32(ProtocolLimits.MaxArrayLength + 1u), "ay"), false);
        yield return new("array length past the end", Call(w => w.WriteUInt32(100), "ay"), false);
        yield return new("array element overruns the array", Call(w =>
        {
            w.WriteUInt32(2);
            w.WriteUInt32(7);
        }, "au"), false);
        yield return new("non-zero padding inside the body", Call(w =>
        {
            w.WriteByte(1);
            w.WriteByte(9);
            w.WriteByte(0);
            w.WriteByte(0);
            w.WriteUInt32(5);
        }, "yu"), false);
        yield return new("fd index without fds", Call(w => w.WriteUInt32(0), "h"), false);
        yield return new("UNIX_FDS claims fds that never came", FdCountWithoutFds(), false);
        yield return new("variant signature with two types", Call(w =>
        {
            w.WriteSignature("yy");
            w.WriteByte(1);
            w.WriteByte(2);
        }, "v"), false);
    }

    private static byte[] Call(Action<MessageWriter> write, string signature, string? badSignature = null)
    {
        var body = new MessageWriter();
        write(body);
        var header = new MessageHeader
        {
            Type = MessageType.MethodCall,
            Serial = 3,
            Path = "/obj/path",
            Interface = "org.Iface",
            Member = "Member",
            Destination = "org.Dest",
            Signature = signature,
        };
        var bytes = MessageEncoder.Encode(header, body).WrittenSpan.ToArray();
        if (badSignature is null)
        {
            return bytes;
        }
        // Swap the SIGNATURE field value for a same-shaped invalid one, keeping lengths consistent.
        var good = SignatureField(signature);
        var bad = SignatureField(badSignature);
        var index = bytes.AsSpan().IndexOf(good);
        var patched = bytes[..index].Concat(bad).Concat(bytes[(index + good.Length)..]).ToArray();
        var delta = bad.Length - good.Length;
        var fields = ReadUInt32(patched, 12) + (uint)delta;
        patched = SetUInt32(patched, 12, fields);
        // Re-pad the header to 8 bytes.
        var headerEnd = 16 + (int)fields;
        var bodyStart = (int)((ReadUInt32(bytes, 12) + 16 + 7) & ~7u);
        var bodyBytes = bytes[bodyStart..];
        var header8 = patched[..headerEnd].Concat(new byte[(8 - (headerEnd % 8)) % 8]);
        return [.. header8, .. bodyBytes];
    }

    private static byte[] SignatureField(string signature) => [8, 1, (byte)'g', 0, (byte)signature.Length, .. Encoding.ASCII.GetBytes(signature), 0];

    private static byte[] VariantBomb(int depth)
    {
        var body = new MessageWriter();
        for (var i = 0; i < depth; i++)
        {
            body.WriteSignature("v");
        }
        body.WriteSignature("y");
        body.WriteByte(1);
        var header = new MessageHeader { Type = MessageType.Signal, Serial = 1, Path = "/b", Interface = "a.b", Member = "M", Signature = "v" };
        return MessageEncoder.Encode(header, body).WrittenSpan.ToArray();
    }

    private static byte[] FdCountWithoutFds()
    {
        var body = new MessageWriter();
        body.WriteUnixFd(new Microsoft.Win32.SafeHandles.SafeFileHandle(-1, ownsHandle: false));
        var header = new MessageHeader { Type = MessageType.Signal, Serial = 1, Path = "/b", Interface = "a.b", Member = "M", Signature = "h" };
        return MessageEncoder.Encode(header, body).WrittenSpan.ToArray();
    }

    private static byte[] NonZeroHeaderPadding(byte[] message)
    {
        var fieldsEnd = 16 + (int)ReadUInt32(message, 12);
        if (fieldsEnd % 8 == 0)
        {
            throw new InvalidOperationException("the baseline header needs padding for this case");
        }
        return With(message, fieldsEnd, 0x55);
    }

    private static byte[] With(byte[] message, int offset, byte value)
    {
        var copy = (byte[])message.Clone();
        copy[offset] = value;
        return copy;
    }

    private static uint ReadUInt32(byte[] message, int offset) => BitConverter.ToUInt32(message, offset);

    private static byte[] SetUInt32(byte[] message, int offset, uint value)
    {
        var copy = (byte[])message.Clone();
        BitConverter.GetBytes(value).CopyTo(copy, offset);
        return copy;
    }

    private static byte[] Replace(byte[] message, ReadOnlySpan<byte> find, ReadOnlySpan<byte> replacement)
    {
        var index = message.AsSpan().IndexOf(find);
        if (index < 0 || find.Length != replacement.Length)
        {
            throw new InvalidOperationException("corpus patch target not found");
        }
        var copy = (byte[])message.Clone();
        replacement.CopyTo(copy.AsSpan(index));
        return copy;
    }
}
