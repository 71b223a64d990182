using System.Runtime.InteropServices;

namespace Concierge.Service.Storage.Interop;

/// <summary>
/// link(2): gives a file a second name, atomically failing when that name is taken. .NET's
/// File.Move without overwrite is no substitute: after link fails with EEXIST it looks again and
/// renames over the name if it has gone meanwhile, so two racing creators can both succeed.
/// </summary>
internal static partial class HardLink
{
    // <asm-generic/errno-base.h>
    private const int EEXIST = 17;

    /// <summary>Links <paramref name="newPath"/> to <paramref name="existing"/>; false when <paramref name="newPath"/> exists.</summary>
    public static bool TryCreate(string existing, string newPath)
    {
        if (Link(existing, newPath) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST
            ? false
            : throw new IOException($"link({existing}, {newPath}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string newPath);
}
