using System.Threading.Channels;

namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>Queues the guest's accepted connections to one host port for <see cref="AcceptAsync"/>.</summary>
internal sealed class VsockListener : IVsockListener
{
    private readonly Channel<VsockStream> _accepted =
        Channel.CreateBounded<VsockStream>(new BoundedChannelOptions(VirtioLimits.VsockMaxPendingConnections) { FullMode = BoundedChannelFullMode.Wait });
    private readonly Action<VsockListener> _unregister;

    public VsockListener(uint port, Action<VsockListener> unregister)
    {
        Port = port;
        _unregister = unregister;
    }

    public uint Port { get; }

    /// <summary>Offers a new connection; false when the backlog is full (the device refuses it).</summary>
    public bool TryEnqueue(VsockStream stream) => _accepted.Writer.TryWrite(stream);

    public async ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException closed)
        {
            throw new ObjectDisposedException($"vsock listener on port {Port} was disposed", closed);
        }
    }

    public void Dispose()
    {
        if (_accepted.Writer.TryComplete())
        {
            _unregister(this);
            while (_accepted.Reader.TryRead(out var pending))
            {
                pending.Dispose();
            }
        }
    }
}
