using System.Text;
using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// Reads the reply of Vm.Exec: an exit status followed by stdout and stderr, i.e. <c>(i ay ay)</c>.
/// Any integer type for the status and <c>s</c> or <c>ay</c> for the streams are accepted.
/// </summary>
internal static class ExecReply
{
    public static ExecResult Parse(Message reply)
    {
        var signature = reply.SignatureAsString;
        var reader = reply.GetBodyReader();
        var rest = signature.AsSpan(signature.Length > 0 ? 1 : 0);
        var exitCode = signature.Length > 0 ? signature[0] switch
        {
            'y' => reader.ReadByte(),
            'n' => reader.ReadInt16(),
            'q' => reader.ReadUInt16(),
            'i' => reader.ReadInt32(),
            'u' => (int)reader.ReadUInt32(),
            'x' => (int)reader.ReadInt64(),
            't' => (int)reader.ReadUInt64(),
            _ => throw NotExec(signature),
        } : throw NotExec(signature);
        var stdout = Stream(ref reader, ref rest, signature);
        var stderr = Stream(ref reader, ref rest, signature);
        return new ExecResult(exitCode, stdout, stderr);
    }

    /// <summary>The next stream (empty when the reply ends before it).</summary>
    private static byte[] Stream(ref Reader reader, ref ReadOnlySpan<char> signature, string whole)
    {
        if (signature.IsEmpty)
        {
            return [];
        }
        if (signature.StartsWith("ay"))
        {
            signature = signature[2..];
            return reader.ReadArrayOfByte();
        }
        if (signature[0] == 's')
        {
            signature = signature[1..];
            return Encoding.UTF8.GetBytes(reader.ReadString());
        }
        throw NotExec(whole);
    }

    private static ConciergeException NotExec(string signature) =>
        new($"exec: the service answered '{signature}', not an exit status and output");
}
