using System.Text;
using Concierge.Guest.Native;

namespace Concierge.Guest.Container;

/// <summary>Brings up "lo": a new network namespace has only a loopback device, and it starts down.</summary>
internal static class Loopback
{
    public static unsafe void BringUp()
    {
        using var socket = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (socket.IsInvalid)
        {
            NativeCallException.ThrowIfFailed(-1, "open socket for loopback");
        }
        var request = default(Libc.InterfaceRequest);
        // SAFETY: "lo" plus its NUL fits the 16-byte name field of the request on the stack.
        Encoding.ASCII.GetBytes("lo", new Span<byte>(request.Name, 16));
        NativeCallException.ThrowIfFailed(Libc.Ioctl(socket, Libc.SIOCGIFFLAGS, ref request), "read loopback flags");
        request.Flags |= Libc.IFF_UP;
        NativeCallException.ThrowIfFailed(Libc.Ioctl(socket, Libc.SIOCSIFFLAGS, ref request), "bring loopback up");
    }
}
