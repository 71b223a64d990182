using System.Runtime.InteropServices;

namespace Concierge.Guest.Native;

/// <summary>Credentials, capabilities and resource limits (unistd.h, grp.h, sys/prctl.h, linux/capability.h).</summary>
internal static partial class Libc
{
    public const int PR_CAPBSET_DROP = 24;
    public const int PR_SET_NO_NEW_PRIVS = 38;
    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int PR_CAP_AMBIENT = 47;
    public const int PR_CAP_AMBIENT_CLEAR_ALL = 4;
    public const int PR_SET_PDEATHSIG = 1;

    /// <summary>_LINUX_CAPABILITY_VERSION_3: two 32-bit words per set.</summary>
    public const uint LINUX_CAPABILITY_VERSION_3 = 0x20080522;

    private const long SYS_capset = 126;

    [StructLayout(LayoutKind.Sequential)]
    public struct CapUserHeader
    {
        public uint Version;
        public int Pid;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CapUserData
    {
        public uint Effective;
        public uint Permitted;
        public uint Inheritable;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "setgroups", SetLastError = true)]
    public static partial int Setgroups(nuint size, ReadOnlySpan<uint> groups);

    [LibraryImport("libc", EntryPoint = "setresgid", SetLastError = true)]
    public static partial int Setresgid(uint real, uint effective, uint saved);

    [LibraryImport("libc", EntryPoint = "setresuid", SetLastError = true)]
    public static partial int Setresuid(uint real, uint effective, uint saved);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int Setrlimit(int resource, in RLimit limit);

    /// <summary>capset(2) through syscall: glibc's wrapper is not in every libc we might link.</summary>
    public static unsafe int Capset(CapUserHeader header, ReadOnlySpan<CapUserData> data)
    {
        // SAFETY: both pointers refer to pinned locals that outlive the call; the kernel reads
        // one header and (for version 3) exactly two data structs, which the caller supplies.
        fixed (CapUserData* dataPointer = data)
        {
            return SyscallCapset(SYS_capset, &header, dataPointer);
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial int SyscallCapset(long number, CapUserHeader* header, CapUserData* data);
}
