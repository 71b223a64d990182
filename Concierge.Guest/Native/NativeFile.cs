using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Guest.Native;

/// <summary>open(2) for what File.OpenHandle refuses: directories and namespace files.</summary>
internal static class NativeFile
{
    /// <summary>Opens read-only and close-on-exec, plus <paramref name="flags"/>; names the path when it fails.</summary>
    public static SafeFileHandle Open(string path, int flags)
    {
        var handle = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC | flags);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new NativeCallException($"open {path}", errno);
        }
        return handle;
    }
}
