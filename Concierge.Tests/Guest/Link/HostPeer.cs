using System.Net.Sockets;
using Concierge.Guest.Link;
using Concierge.GuestLink;
using Concierge.GuestLink.Protocol;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Link;

/// <summary>
/// The host's end of the link for tests: a real Unix socket listener speaking the same
/// frames through the same <see cref="FrameCodec"/> the service will use.
/// </summary>
public sealed class HostPeer : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Socket _listener;
    private readonly string _directory;
    private NetworkStream? _stream;

    public HostPeer()
    {
        _directory = Directory.CreateTempSubdirectory("concierge-link-").FullName;
        SocketPath = Path.Combine(_directory, "host.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen();
    }

    public string SocketPath { get; }

    internal FrameCodec Codec { get; } = new();

    /// <summary>Waits for the guest to connect (again).</summary>
    public async Task AcceptAsync()
    {
        _stream?.Dispose();
        using var cancellation = new CancellationTokenSource(Timeout);
        _stream = new NetworkStream(await _listener.AcceptAsync(cancellation.Token), ownsSocket: true);
    }

    /// <summary>Drops the current connection, as a host restart would.</summary>
    public void Disconnect()
    {
        _stream?.Dispose();
        _stream = null;
    }

    internal async Task<GuestMessage> ReadAsync()
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        var message = await Codec.ReadAsync(_stream!, GuestMessage.Parser, cancellation.Token);
        Assert.That(message, Is.Not.Null, "the guest closed the link");
        return message!;
    }

    /// <summary>Reads until a message of the wanted kind, skipping heartbeats and other events.</summary>
    internal async Task<GuestMessage> ReadUntilAsync(GuestMessage.KindOneofCase kind)
    {
        for (var i = 0; i < 10_000; i++)
        {
            var message = await ReadAsync();
            if (message.KindCase == kind)
            {
                return message;
            }
        }
        throw new AssertionException($"no {kind} in 10000 messages");
    }

    internal Task SendAsync(HostMessage message) => Codec.WriteAsync(_stream!, message, CancellationToken.None).AsTask();

    /// <summary>Writes raw bytes (for framing violations).</summary>
    public Task SendRawAsync(byte[] bytes) => _stream!.WriteAsync(bytes).AsTask();

    public void Dispose()
    {
        _stream?.Dispose();
        _listener.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
