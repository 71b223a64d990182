using Concierge.Service.Supervision;

namespace Concierge.Service.Api;

/// <summary>
/// One supervised run of a VM and what it holds until the run is over: its CID and the images its
/// caller passed as fds (every restart of the run reads through them).
/// </summary>
internal sealed class ManagedVm
{
    private readonly PassedImages? _passedImages;
    private bool _released;

    public ManagedVm(VmSupervisor supervisor, PassedImages? passedImages)
    {
        Supervisor = supervisor;
        _passedImages = passedImages;
    }

    public VmSupervisor Supervisor { get; }

    /// <summary>
    /// True until the run's final state is published (stopped or failed, no restart pending). The
    /// monitor is down and disposed by then; the supervisor only winds up, so a start that comes
    /// right after a stop begins a new run instead of answering with the old run's stopped state.
    /// </summary>
    public bool IsActive => !Supervisor.Completion.IsCompleted && !IsFinal(Supervisor.Snapshot);

    private static bool IsFinal(VmStatusSnapshot snapshot) =>
        snapshot.State is VmState.Stopped or VmState.Failed && snapshot.RestartDelay is null;

    /// <summary>Closes the passed images once; true the first time (the caller then frees the CID).</summary>
    public bool Release()
    {
        if (_released)
        {
            return false;
        }
        _released = true;
        _passedImages?.Dispose();
        return true;
    }
}
