using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Vmm.Images;

/// <summary>The libc calls behind <see cref="ImageFile"/>'s checks (x86-64 Linux, like the rest of the monitor).</summary>
public sealed partial class ImageFile
{
    // <fcntl.h>, <sys/stat.h>, <sys/file.h>, <linux/fs.h> on x86-64.
    private const int ORdOnly = 0x0;
    private const int ORdWr = 0x2;
    private const int OAccMode = 0x3;
    private const int ONonBlock = 0x800;
    private const int ONoCtty = 0x100;
    private const int OCloExec = 0x80000;
    private const int OPath = 0x200000;
    private const int FDupFdCloExec = 1030;
    private const int FGetFl = 3;
    private const uint SIfMt = 0xF000;
    private const uint SIfReg = 0x8000;
    private const uint SIfBlk = 0x6000;
    private const int LockExclusiveNonBlocking = 2 | 4;
    private const nuint BlkGetSize64 = 0x80081272;
    private const int EIntr = 4;
    private const int EWouldBlock = 11;

    /// <summary>struct stat on x86-64 (bits/struct_stat.h): 144 bytes, of which the mode and size are read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    private struct Stat
    {
        [FieldOffset(24)] public uint Mode;
        [FieldOffset(48)] public long Size;
    }

    private static SafeFileHandle OpenNonBlocking(string path, bool writable)
    {
        var fd = OpenNative(path, (writable ? ORdWr : ORdOnly) | ONonBlock | ONoCtty | OCloExec);
        if (fd < 0)
        {
            throw Failed($"cannot open {path}", Marshal.GetLastPInvokeError());
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>An O_PATH fd opens nothing (reading through it would be reading with our rights); the mode must allow the use.</summary>
    private static void CheckAccessMode(SafeFileHandle handle, string name, bool writable)
    {
        var flags = FcntlNative(handle, FGetFl, 0);
        if (flags < 0)
        {
            throw Failed($"cannot inspect {name}", Marshal.GetLastPInvokeError());
        }
        if ((flags & OPath) != 0)
        {
            throw new VmConfigException($"{name} is an O_PATH fd; pass an fd opened for {(writable ? "reading and writing" : "reading")}");
        }
        var mode = flags & OAccMode;
        if (writable ? mode != ORdWr : mode is not (ORdOnly or ORdWr))
        {
            throw new VmConfigException($"{name} is not open for {(writable ? "reading and writing (O_RDWR)" : "reading")}");
        }
    }

    /// <summary>Only a regular file or a block device is an image; returns its size.</summary>
    private static (bool BlockDevice, long Length) Describe(SafeFileHandle handle, string name)
    {
        if (FstatNative(handle, out var stat) != 0)
        {
            throw Failed($"cannot inspect {name}", Marshal.GetLastPInvokeError());
        }
        switch (stat.Mode & SIfMt)
        {
            case SIfReg:
                return (false, stat.Size);
            case SIfBlk:
                // st_size is 0 for a block device; the device knows its own size.
                if (IoctlNative(handle, BlkGetSize64, out var bytes) != 0)
                {
                    throw Failed($"cannot size the block device {name}", Marshal.GetLastPInvokeError());
                }
                return (true, checked((long)bytes));
            default:
                throw new VmConfigException($"{name} is not a regular file or a block device but {FileType(stat.Mode)}");
        }
    }

    private static string FileType(uint mode) => (mode & SIfMt) switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x4000 => "a directory",
        0xC000 => "a socket",
        _ => "another kind of file",
    };

    private static void LockExclusive(SafeFileHandle handle, string name)
    {
        while (FlockNative(handle, LockExclusiveNonBlocking) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EWouldBlock)
            {
                throw new VmConfigException($"{name} is in use by another writer (it is locked)");
            }
            if (errno != EIntr)
            {
                throw Failed($"cannot lock {name}", errno);
            }
        }
    }

    private static SafeFileHandle DuplicateHandle(SafeFileHandle handle, string name)
    {
        var fd = FcntlNative(handle, FDupFdCloExec, 0);
        if (fd < 0)
        {
            throw Failed($"cannot duplicate the fd of {name}", Marshal.GetLastPInvokeError());
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static VmConfigException Failed(string what, int errno) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}", new IOException(Marshal.GetPInvokeErrorMessage(errno), errno));

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlNative(SafeFileHandle fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static partial int FstatNative(SafeFileHandle fd, out Stat stat);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlNative(SafeFileHandle fd, nuint request, out ulong value);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockNative(SafeFileHandle fd, int operation);
}
