namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>
/// Accepts the guest's connections to one host port (the guest connects to CID 2, this port).
/// Dispose to stop listening: later guest requests to the port are refused with RST.
/// </summary>
public interface IVsockListener : IDisposable
{
    /// <summary>The host port listened on.</summary>
    uint Port { get; }

    /// <summary>Waits for the next guest connection and returns it as a byte stream.</summary>
    /// <exception cref="ObjectDisposedException">The listener was disposed.</exception>
    ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken = default);
}
