using System.Globalization;
using System.Text;
using Concierge.DBus.Interop;

namespace Concierge.DBus.Transport;

/// <summary>
/// The client side of the SASL handshake: a NUL byte, <c>AUTH EXTERNAL</c> with our effective uid,
/// <c>NEGOTIATE_UNIX_FD</c>, then <c>BEGIN</c>. Returns whether the server agreed to pass fds.
/// </summary>
internal static class SaslClient
{
    public static bool Authenticate(UnixSocketTransport transport, MessageStream stream)
    {
        var uid = LibC.geteuid().ToString(CultureInfo.InvariantCulture);
        var hexUid = Convert.ToHexStringLower(Encoding.ASCII.GetBytes(uid));
        Send(transport, $"\0AUTH EXTERNAL {hexUid}\r\n");
        var reply = stream.ReadLine();
        if (!reply.StartsWith("OK ", StringComparison.Ordinal))
        {
            throw new DBusException(DBusErrorNames.AuthFailed, $"server refused EXTERNAL authentication: {reply}");
        }
        Send(transport, "NEGOTIATE_UNIX_FD\r\n");
        var agreed = stream.ReadLine() == "AGREE_UNIX_FD";
        Send(transport, "BEGIN\r\n");
        return agreed;
    }

    private static void Send(UnixSocketTransport transport, string line) => transport.Send(Encoding.ASCII.GetBytes(line), []);
}
