using System.Runtime.InteropServices;
using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Kvm;

/// <summary>
/// An eventfd(2) counter shared with KVM: an ioeventfd (the guest's doorbell write signals it,
/// a device thread waits on it) or an irqfd (a device signals it, KVM injects the interrupt).
/// </summary>
public sealed class EventFd : IDisposable
{
    private EventFd(EventFdHandle handle) => Handle = handle;

    internal EventFdHandle Handle { get; }

    /// <summary>Creates a blocking eventfd with a zero counter.</summary>
    internal static EventFd Create()
    {
        var fd = Libc.EventFd(0, Libc.EfdCloExec);
        if (fd < 0)
        {
            KvmException.Throw("eventfd", Marshal.GetLastPInvokeError());
        }
        return new EventFd(new EventFdHandle(fd));
    }

    /// <summary>Adds one to the counter, waking a waiter (or injecting an irqfd's interrupt).</summary>
    public void Signal()
    {
        ulong one = 1;
        if (Libc.Write(Handle, ref one, sizeof(ulong)) != sizeof(ulong))
        {
            KvmException.Throw("eventfd write", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Blocks until the counter is non-zero, then returns it and resets it to zero.</summary>
    public ulong Wait()
    {
        while (true)
        {
            if (Libc.Read(Handle, out var value, sizeof(ulong)) == sizeof(ulong))
            {
                return value;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EIntr)
            {
                KvmException.Throw("eventfd read", errno);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Handle.Dispose();
}
