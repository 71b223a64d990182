using Concierge.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// Reads the reply of Vm.Exec: an exit status followed by stdout and stderr, i.e. <c>(i ay ay)</c>.
/// Any integer type for the status and <c>s</c> or <c>ay</c> for the streams are accepted.
/// </summary>
internal static class ExecReply
{
    public static ExecResult Parse(Message reply)
    {
        var values = reply.GetBodyReader().ReadValues(reply.Signature);
        if (values.Length < 1 || values[0] is string or byte[])
        {
            throw new ConciergeException($"exec: the service answered '{reply.Signature}', not an exit status and output");
        }
        return new ExecResult(
            (int)VmPropertyMap.Integer(values[0]),
            values.Length > 1 ? Bytes(values[1]) : [],
            values.Length > 2 ? Bytes(values[2]) : []);
    }

    private static byte[] Bytes(object value) => value switch
    {
        byte[] bytes => bytes,
        string text => System.Text.Encoding.UTF8.GetBytes(text),
        _ => [],
    };
}
