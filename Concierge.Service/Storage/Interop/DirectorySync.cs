using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Service.Storage.Interop;

/// <summary>
/// fsync(2) of a directory, so a rename inside it survives a power cut. .NET refuses to open
/// directories as files, hence the two calls here.
/// </summary>
internal static partial class DirectorySync
{
    // x86-64 values from <asm-generic/fcntl.h> as used by arch/x86 (the only host we run on).
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>Flushes the directory entry changes of <paramref name="directory"/> to disk.</summary>
    public static void Flush(string directory)
    {
        var fd = Open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
        {
            throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (Fsync(handle) != 0)
        {
            throw new IOException($"fsync({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(SafeFileHandle fd);
}
