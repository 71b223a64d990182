namespace Concierge.Service.Supervision;

/// <summary>How a guest command ended (guest.proto's ProcessStatus as far as Exec uses it).</summary>
public enum GuestExecStatus
{
    /// <summary>The guest reported nothing it knows.</summary>
    Unknown,

    /// <summary>It exited; the code is its exit status.</summary>
    Exited,

    /// <summary>A signal ended it; the code is the signal number.</summary>
    Signaled,

    /// <summary>It could not be started; see the error.</summary>
    Failed,
}
