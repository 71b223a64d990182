namespace Concierge.Guest.Link;

/// <summary>
/// Opens the byte stream to the host. The link's protocol code never sees what is
/// underneath: vsock in a VM, a Unix socket in tests and on a developer's machine.
/// </summary>
internal interface IHostTransport
{
    /// <summary>Connects once; throws (SocketException, IOException) when the host is not there.</summary>
    ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Where it connects, for log lines.</summary>
    string Describe();
}
