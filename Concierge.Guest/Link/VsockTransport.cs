using System.Runtime.InteropServices;
using Concierge.Guest.Native;

namespace Concierge.Guest.Link;

/// <summary>
/// Connects to the host over AF_VSOCK (in a VM: CID 2, port 7777). The blocking connect
/// runs on a pool thread; the kernel bounds it (vsock's connect timeout is 2 s by default).
/// </summary>
internal sealed class VsockTransport(uint cid, uint port) : IHostTransport
{
    /// <summary>The host, seen from a guest (VMADDR_CID_HOST).</summary>
    public const uint HostCid = 2;

    /// <summary>The host's link port, as Chrome OS's startup listener.</summary>
    public const uint DefaultPort = 7777;

    public async ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken) =>
        await Task.Run(Connect, cancellationToken);

    public string Describe() => $"vsock:{cid}:{port}";

    private SocketFileStream Connect()
    {
        var fd = Libc.SocketFd(Libc.AF_VSOCK, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot create a vsock socket: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        var address = new Libc.SockaddrVm { Family = Libc.AF_VSOCK, Port = port, Cid = cid };
        if (Libc.Connect(fd, address, (uint)Marshal.SizeOf<Libc.SockaddrVm>()) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Libc.Close(fd);
            throw new IOException($"cannot connect to {Describe()}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return SocketFileStream.Open(fd);
    }
}
