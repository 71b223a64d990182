namespace Concierge.Service.Supervision;

/// <summary>Why a VM is no longer running (Chrome OS's reasons first, then ours).</summary>
public enum VmStopReason
{
    /// <summary>The guest powered off by itself.</summary>
    VmExited,

    /// <summary>StopVm.</summary>
    StopRequested,

    /// <summary>StopAllVms.</summary>
    StopAllRequested,

    /// <summary>DestroyDiskImage of a running VM's image.</summary>
    DestroyDiskImageRequested,

    /// <summary>The service is shutting down.</summary>
    ServiceShutdown,

    /// <summary>Kill: stopped without asking the guest.</summary>
    KillRequested,

    /// <summary>The VM failed; the failure reason says how.</summary>
    Failed,

    /// <summary>The supervisor stopped a guest that stayed unresponsive.</summary>
    Unresponsive,

    /// <summary>Found marked active after the service itself crashed.</summary>
    ServiceCrashed,
}
