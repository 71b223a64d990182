using Concierge.Vmm.Devices.Virtio.Vsock;

namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>
/// The host's side of a fuzzed vsock device: one listener, the streams it accepted or connected,
/// and calls on them that never wait (a cancelled token turns "would block" into a refusal).
/// Failures a closed or reset connection gives are expected; anything else is a finding.
/// </summary>
internal sealed class VsockHost : IDisposable
{
    private static readonly CancellationToken DoNotWait = new(canceled: true);
    private readonly VsockDevice _device;
    private readonly IVsockListener _listener;
    private readonly List<Stream> _streams = [];
    private readonly List<Task<VsockStream>> _connecting = [];
    private readonly HashSet<(uint Local, uint Peer)> _closed = [];
    private Task<Stream>? _accepting;

    public VsockHost(VsockDevice device, uint port)
    {
        _device = device;
        _listener = device.Listen(port);
    }

    /// <summary>Whether the host closed its stream of connection (<paramref name="local"/>, <paramref name="peer"/>).</summary>
    public bool Closed(uint local, uint peer) => _closed.Contains((local, peer));

    public void Accept()
    {
        _accepting ??= _listener.AcceptAsync().AsTask();
        if (_accepting.IsCompletedSuccessfully)
        {
            _streams.Add(_accepting.Result);
            _accepting = null;
        }
    }

    public void Connect(uint guestPort) => _connecting.Add(_device.ConnectAsync(guestPort));

    public void Write(byte stream, ReadOnlySpan<byte> data)
    {
        if (Stream(stream) is { } target)
        {
            Expect(target.WriteAsync(data.ToArray(), DoNotWait).AsTask());
        }
    }

    public void Read(byte stream)
    {
        if (Stream(stream) is { } target)
        {
            Expect(target.ReadAsync(new byte[4096], DoNotWait).AsTask());
        }
    }

    public void Close(byte stream)
    {
        if (Stream(stream) is { } target)
        {
            var vsock = (VsockStream)target;
            _closed.Add((vsock.LocalPort, vsock.PeerPort));
            target.Dispose();
            _streams.Remove(target);
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _streams.ForEach(s => s.Dispose());
        if (_accepting is not null)
        {
            Expect(_accepting);
        }
    }

    /// <summary>Connects the guest answered become streams (the rest stay pending or failed).</summary>
    private Stream? Stream(byte index)
    {
        foreach (var done in _connecting.Where(c => c.IsCompleted).ToList())
        {
            _connecting.Remove(done);
            if (done.IsCompletedSuccessfully)
            {
                _streams.Add(done.Result);
            }
            else
            {
                Expect(done);
            }
        }
        return _streams.Count == 0 ? null : _streams[index % _streams.Count];
    }

    private static void Expect(Task call)
    {
        if (!call.IsCompleted)
        {
            return;
        }
        try
        {
            call.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is VsockException or ObjectDisposedException or OperationCanceledException)
        {
            // A refused call on a closed, reset or full connection: what the host expects from a guest.
        }
    }
}
