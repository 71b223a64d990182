using System.Text;
using Concierge.DBus.Protocol;

namespace Concierge.Client;

/// <summary>Reads the reply of Vm.ReadConsole: the console text as <c>s</c> or raw <c>ay</c> (decoded as UTF-8, invalid bytes replaced).</summary>
internal static class ConsoleReply
{
    public static string Parse(Message reply) => reply.Signature switch
    {
        "s" => reply.GetBodyReader().ReadString(),
        "ay" => Encoding.UTF8.GetString(reply.GetBodyReader().ReadByteArray()),
        _ => throw new ConciergeException($"read console: the service answered '{reply.Signature}', not text"),
    };
}
