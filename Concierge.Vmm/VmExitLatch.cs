namespace Concierge.Vmm;

/// <summary>
/// Records the first reason a VM has to stop, from whichever thread sees it first (a vCPU that
/// hit a power-off, a device thread, the host), and tells the VM once to stop its vCPUs.
/// </summary>
internal sealed class VmExitLatch
{
    private VmExit? _exit;
    private Action? _onFirstExit;

    /// <summary>The recorded exit, or null while the VM should keep running.</summary>
    public VmExit? Exit => Volatile.Read(ref _exit);

    /// <summary>Sets what to do on the first exit (the VM stopping its vCPUs). Runs now if an exit is already latched.</summary>
    public void OnFirstExit(Action action)
    {
        Volatile.Write(ref _onFirstExit, action);
        if (Exit is not null)
        {
            action();
        }
    }

    /// <summary>Latches <paramref name="exit"/> unless an earlier exit won; returns whether this one won.</summary>
    public bool TrySet(VmExit exit)
    {
        if (Interlocked.CompareExchange(ref _exit, exit, null) is not null)
        {
            return false;
        }
        Volatile.Read(ref _onFirstExit)?.Invoke();
        return true;
    }
}
