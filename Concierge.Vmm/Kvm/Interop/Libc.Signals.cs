using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>Thread identity and signal calls used to kick a vCPU thread out of KVM_RUN.</summary>
internal static partial class Libc
{
    public const int SigBlock = 0;
    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EInval = 22;

    /// <summary>glibc's sigset_t is 1024 bits; the kernel only looks at the first 64.</summary>
    public const int SigsetWords = 16;

    [LibraryImport("libc", EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "tgkill", SetLastError = true)]
    public static partial int TgKill(int processId, int threadId, int signal);

    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    public static partial int PthreadSigmask(int how, [In] ulong[] set, [Out] ulong[] oldSet);

    [LibraryImport("libc", EntryPoint = "sigtimedwait", SetLastError = true)]
    public static partial int SigTimedWait([In] ulong[] set, nint info, in Timespec timeout);

    /// <summary>struct timespec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
