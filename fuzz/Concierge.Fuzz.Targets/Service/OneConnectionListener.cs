using Concierge.Vmm.Devices.Virtio.Vsock;

namespace Concierge.Fuzz.Targets.Service;

/// <summary>A vsock listener whose guest connects once; later accepts wait until cancelled or disposed.</summary>
internal sealed class OneConnectionListener : IVsockListener
{
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Stream? _connection;

    public OneConnectionListener(Stream connection) => _connection = connection;

    /// <summary>The host link's port (the server never asks).</summary>
    public uint Port => 7777;

    public async ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            return connection;
        }
        await _disposed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        throw new ObjectDisposedException(nameof(OneConnectionListener));
    }

    public void Dispose() => _disposed.TrySetResult();
}
