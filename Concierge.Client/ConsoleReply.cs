using System.Text;
using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>Reads the reply of Vm.ReadConsole: the console text as <c>s</c> or raw <c>ay</c> (decoded as UTF-8, invalid bytes replaced).</summary>
internal static class ConsoleReply
{
    public static string Parse(Message reply) => reply.SignatureAsString switch
    {
        "s" => reply.GetBodyReader().ReadString(),
        "ay" => Encoding.UTF8.GetString(reply.GetBodyReader().ReadArrayOfByte()),
        var other => throw new ConciergeException($"read console: the service answered '{other}', not text"),
    };
}
