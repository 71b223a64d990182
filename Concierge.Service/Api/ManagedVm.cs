using Concierge.Service.Supervision;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Service.Api;

/// <summary>
/// One supervised run of a VM and what it holds until the run is over: its CID and the fds its
/// caller passed (the monitor reaches them through /proc/self/fd, so they stay open until then).
/// </summary>
internal sealed class ManagedVm
{
    private readonly List<SafeFileHandle> _passedFds;
    private bool _released;

    public ManagedVm(VmSupervisor supervisor, IEnumerable<SafeFileHandle> passedFds)
    {
        Supervisor = supervisor;
        _passedFds = [.. passedFds];
    }

    public VmSupervisor Supervisor { get; }

    /// <summary>True until the supervisor has finished for good (no restart pending).</summary>
    public bool IsActive => !Supervisor.Completion.IsCompleted;

    /// <summary>Closes the passed fds once; true the first time (the caller then frees the CID).</summary>
    public bool Release()
    {
        if (_released)
        {
            return false;
        }
        _released = true;
        foreach (var fd in _passedFds)
        {
            fd.Dispose();
        }
        return true;
    }
}
