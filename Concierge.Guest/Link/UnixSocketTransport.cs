using System.Net.Sockets;

namespace Concierge.Guest.Link;

/// <summary>Connects to a Unix stream socket: the link outside a VM (tests, development).</summary>
internal sealed class UnixSocketTransport(string path) : IHostTransport
{
    public async ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public string Describe() => $"unix:{path}";
}
