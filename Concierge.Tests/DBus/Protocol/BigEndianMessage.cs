using System.Buffers.Binary;
using System.Text;

namespace Concierge.Tests.DBus.Protocol;

/// <summary>
/// A big-endian signal built byte by byte (our writer only emits little-endian), with body
/// <c>u s an d v</c> = 0x12345678, "hi", [1, -2], 1.5, &lt;int64 -5&gt;.
/// </summary>
public static class BigEndianMessage
{
    public static byte[] Build()
    {
        var body = new List<byte>();
        U32(body, 0x12345678);
        Str(body, "hi");
        Align(body, 4);
        U32(body, 4);
        U16(body, 1);
        U16(body, unchecked((ushort)-2));
        Align(body, 8);
        body.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(BitConverter.DoubleToInt64Bits(1.5))));
        body.AddRange([1, (byte)'x', 0]);
        Align(body, 8);
        body.AddRange(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(-5L)));

        var message = new List<byte> { (byte)'B', 4, 0, 1 };
        U32(message, (uint)body.Count);
        U32(message, 9);
        var fields = new List<byte>();
        Field(fields, message.Count + 4, 1, "o", f => Str(f, "/be"));
        Field(fields, message.Count + 4, 2, "s", f => Str(f, "a.b"));
        Field(fields, message.Count + 4, 3, "s", f => Str(f, "Hi"));
        Field(fields, message.Count + 4, 8, "g", f => f.AddRange([6, .. Encoding.ASCII.GetBytes("usandv"), 0]));
        U32(message, (uint)fields.Count);
        message.AddRange(fields);
        Align(message, 8);
        message.AddRange(body);
        return [.. message];
    }

    // Header fields start at message offset `baseOffset`; alignment counts from the message start.
    private static void Field(List<byte> fields, int baseOffset, byte code, string type, Action<List<byte>> value)
    {
        while ((baseOffset + fields.Count) % 8 != 0)
        {
            fields.Add(0);
        }
        fields.AddRange([code, 1, (byte)type[0], 0]);
        var start = fields.Count;
        var scratch = new List<byte>();
        // Pad relative to the message so the value's own alignment is right.
        var pad = type == "g" ? 0 : (4 - ((baseOffset + start) % 4)) % 4;
        scratch.AddRange(new byte[pad]);
        value(scratch);
        fields.AddRange(scratch);
    }

    private static void Align(List<byte> bytes, int alignment)
    {
        while (bytes.Count % alignment != 0)
        {
            bytes.Add(0);
        }
    }

    private static void U16(List<byte> bytes, ushort value)
    {
        Align(bytes, 2);
        bytes.AddRange([(byte)(value >> 8), (byte)value]);
    }

    private static void U32(List<byte> bytes, uint value)
    {
        Align(bytes, 4);
        bytes.AddRange([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    // Strings here are built at 4-aligned positions already; callers align first where needed.
    private static void Str(List<byte> bytes, string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        bytes.AddRange([(byte)(utf8.Length >> 24), (byte)(utf8.Length >> 16), (byte)(utf8.Length >> 8), (byte)utf8.Length]);
        bytes.AddRange(utf8);
        bytes.Add(0);
    }
}
