using Concierge.Vmm.Kvm;

namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// Turns a queue's ioeventfd into device notifications: KVM completes the guest's doorbell write
/// in the kernel and signals the eventfd, so the vCPU never exits to user space for a kick; this
/// thread forwards the signal to the device's worker.
/// </summary>
internal sealed class IoEventNotifier : IDisposable
{
    private readonly EventFd _eventFd;
    private readonly Action _notify;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public IoEventNotifier(EventFd eventFd, Action notify, string name)
    {
        _eventFd = eventFd;
        _notify = notify;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Stops the thread: it is woken through its own eventfd (closing an fd does not wake a blocked read).</summary>
    public void Dispose()
    {
        _stopping = true;
        _eventFd.Signal();
        _thread.Join();
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _eventFd.Wait();
                if (_stopping)
                {
                    return;
                }
                _notify();
            }
        }
        catch (Exception failure) when (failure is KvmException or ObjectDisposedException)
        {
            // The eventfd failed: the MMIO path (a write to the notify area that exits) still delivers kicks.
        }
    }
}
