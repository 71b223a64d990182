using System.Runtime.InteropServices;

namespace Concierge.Guest.Native;

/// <summary>
/// AF_VSOCK sockets (linux/vm_sockets.h). System.Net.Sockets refuses address families it
/// does not know ("Address family not supported" from the Socket constructor, and
/// SocketAddress cannot hold one), so vsock is created and connected here.
/// </summary>
internal static partial class Libc
{
    public const int AF_UNIX = 1;
    public const int AF_VSOCK = 40;
    public const int SOCK_STREAM = 1;
    public const int SHUT_RDWR = 2;

    /// <summary>struct sockaddr_vm: 16 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrVm
    {
        public ushort Family;
        public ushort Reserved1;
        public uint Port;
        public uint Cid;
        public uint Flags;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int SocketFd(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, in SockaddrVm address, uint length);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static unsafe partial int Socketpair(int domain, int type, int protocol, int* fds);
}
