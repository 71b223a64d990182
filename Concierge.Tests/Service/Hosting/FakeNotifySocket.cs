using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace Concierge.Tests.Service.Hosting;

/// <summary>What systemd would be for sd_notify: a datagram socket in a temp directory that records every message with its arrival time.</summary>
public sealed class FakeNotifySocket : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("concierge-notify-").FullName;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(DateTime At, string Text)> _messages = [];
    private readonly Task _reader;

    public FakeNotifySocket()
    {
        _socket.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _reader = ReadAllAsync();
    }

    public string SocketPath => Path.Combine(_directory, "notify");

    public List<(DateTime At, string Text)> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public async Task WaitUntilAsync(Func<List<(DateTime At, string Text)>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition(Messages))
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"notify messages so far: {string.Join(" | ", Messages.Select(m => m.Text))}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reader;
        _socket.Dispose();
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task ReadAllAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                lock (_messages)
                {
                    _messages.Add((DateTime.UtcNow, Encoding.UTF8.GetString(buffer, 0, length)));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
