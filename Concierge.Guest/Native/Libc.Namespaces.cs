using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Guest.Native;

/// <summary>Namespaces and the host name (sched.h, unistd.h).</summary>
internal static partial class Libc
{
    public const int CLONE_FS = 0x200;
    public const int CLONE_NEWNS = 0x20000;
    public const int CLONE_NEWUTS = 0x4000000;
    public const int CLONE_NEWIPC = 0x8000000;
    public const int CLONE_NEWPID = 0x20000000;
    public const int CLONE_NEWNET = 0x40000000;

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int Setns(SafeFileHandle namespaceFd, int type);

    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    public static partial int Sethostname(ReadOnlySpan<byte> name, nuint length);
}
