using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Kvm;

/// <summary>
/// The real-time signal that kicks a vCPU thread out of KVM_RUN. The vCPU thread keeps it
/// blocked, and KVM_SET_SIGNAL_MASK unblocks it only while the thread is inside KVM_RUN: a kick
/// then ends KVM_RUN with EINTR and stays pending (blocked again) once back in user space, where
/// the thread consumes it. So no handler is installed and the signal never reaches .NET or the
/// rest of the process (KVM's real_blocked bookkeeping keeps the default action from firing).
/// </summary>
internal static class VcpuKickSignal
{
    /// <summary>SIGRTMIN+16 with glibc's SIGRTMIN of 34; the .NET runtime uses SIGRTMIN itself.</summary>
    public const int Number = 50;

    private static ulong Bit => 1UL << (Number - 1);

    /// <summary>
    /// Blocks the kick signal on the calling (vCPU) thread and returns the signal mask KVM
    /// should use while running the guest: the thread's previous mask, without the kick signal.
    /// </summary>
    public static ulong BlockOnCurrentThread()
    {
        var set = new ulong[Libc.SigsetWords];
        set[0] = Bit;
        var old = new ulong[Libc.SigsetWords];
        var error = Libc.PthreadSigmask(Libc.SigBlock, set, old);
        if (error != 0)
        {
            KvmException.Throw("pthread_sigmask", error);
        }
        return old[0] & ~Bit;
    }

    /// <summary>Sends the kick to thread <paramref name="threadId"/> of this process.</summary>
    public static void Send(int threadId)
    {
        // ESRCH when the thread has already ended: nothing to kick.
        _ = Libc.TgKill(Libc.GetPid(), threadId, Number);
    }

    /// <summary>Consumes a pending kick on the calling thread, if any (so the next KVM_RUN does not return at once).</summary>
    public static void ConsumePending()
    {
        var set = new ulong[Libc.SigsetWords];
        set[0] = Bit;
        var zero = default(Libc.Timespec);
        _ = Libc.SigTimedWait(set, IntPtr.Zero, in zero);
    }
}
