using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Guest.Native;

/// <summary>Mounts, root changes and directory fds (sys/mount.h, unistd.h, fcntl.h).</summary>
internal static partial class Libc
{
    public const ulong MS_RDONLY = 1;
    public const ulong MS_NOSUID = 2;
    public const ulong MS_NODEV = 4;
    public const ulong MS_NOEXEC = 8;
    public const ulong MS_REMOUNT = 32;
    public const ulong MS_BIND = 4096;
    public const ulong MS_MOVE = 8192;
    public const ulong MS_REC = 16384;
    public const ulong MS_PRIVATE = 1 << 18;

    public const int MNT_DETACH = 2;

    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    private const long SYS_pivot_root = 155;

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fileSystemType, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chdir(string path);

    [LibraryImport("libc", EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chroot(string path);

    [LibraryImport("libc", EntryPoint = "fchdir", SetLastError = true)]
    public static partial int Fchdir(SafeFileHandle directory);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial SafeFileHandle Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "sync")]
    public static partial void Sync();

    /// <summary>pivot_root(2) has no glibc wrapper.</summary>
    public static int PivotRoot(string newRoot, string putOld) => SyscallPaths(SYS_pivot_root, newRoot, putOld);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SyscallPaths(long number, string first, string second);
}
