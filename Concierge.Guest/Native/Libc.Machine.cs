using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Guest.Native;

/// <summary>Power, clock, kernel modules and interface flags (sys/reboot.h, time.h, linux/module.h, net/if.h).</summary>
internal static partial class Libc
{
    public const int RB_POWER_OFF = 0x4321fedc;
    public const int CLOCK_REALTIME = 0;

    public const int AF_INET = 2;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const ulong SIOCGIFFLAGS = 0x8913;
    public const ulong SIOCSIFFLAGS = 0x8914;
    public const short IFF_UP = 0x1;

    private const long SYS_finit_module = 313;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>struct ifreq: a 16-byte name, then a 24-byte union whose first member we use is ifr_flags.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public unsafe struct InterfaceRequest
    {
        [FieldOffset(0)]
        public fixed byte Name[16];

        [FieldOffset(16)]
        public short Flags;
    }

    [LibraryImport("libc", EntryPoint = "reboot", SetLastError = true)]
    public static partial int Reboot(int command);

    [LibraryImport("libc", EntryPoint = "clock_settime", SetLastError = true)]
    public static partial int ClockSettime(int clock, in Timespec time);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial SafeFileHandle Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(SafeFileHandle fd, ulong request, ref InterfaceRequest request2);

    /// <summary>finit_module(2) has no glibc wrapper.</summary>
    public static long FinitModule(SafeFileHandle module, string parameters) => SyscallFinitModule(SYS_finit_module, module, parameters, 0);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long SyscallFinitModule(long number, SafeFileHandle module, string parameters, int flags);
}
