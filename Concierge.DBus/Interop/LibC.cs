using System.Runtime.InteropServices;

namespace Concierge.DBus.Interop;

/// <summary>The few libc calls .NET sockets do not offer: sendmsg/recvmsg with SCM_RIGHTS, and geteuid.</summary>
internal static unsafe partial class LibC
{
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;
    public const int MSG_CTRUNC = 0x8;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint sendmsg(SafeHandle socket, MsgHdr* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint recvmsg(SafeHandle socket, MsgHdr* message, int flags);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    /// <summary>Size of a control message carrying <paramref name="dataLength"/> bytes (CMSG_SPACE).</summary>
    public static int ControlSpace(int dataLength) => sizeof(CMsgHdr) + ((dataLength + 7) & ~7);

    /// <summary><c>struct msghdr</c> on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary><c>struct iovec</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary><c>struct cmsghdr</c> on 64-bit Linux (data follows, 8-aligned).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CMsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }
}
