namespace Concierge.Service.Supervision;

/// <summary>
/// Everything that reaches a supervisor's loop: one closed set of messages, so the nested
/// records stay together here. Inputs from an instance carry its generation; the loop drops
/// those of an instance that is already gone.
/// </summary>
internal abstract record SupervisorInput
{
    /// <summary>A guest link event of instance <paramref name="Generation"/>.</summary>
    public sealed record Guest(int Generation, GuestLinkEvent Event) : SupervisorInput;

    /// <summary>Instance <paramref name="Generation"/> ended.</summary>
    public sealed record Exited(int Generation, InstanceExit Exit) : SupervisorInput;

    /// <summary>A deadline armed with <paramref name="Sequence"/> fired.</summary>
    public sealed record Deadline(DeadlineKind Kind, long Sequence) : SupervisorInput;

    /// <summary>Stop (or kill) on request; <paramref name="Done"/> completes when the VM is down.</summary>
    public sealed record Stop(VmStopReason Reason, bool Kill, TaskCompletionSource Done) : SupervisorInput;

    /// <summary>Pause (<paramref name="Pause"/>) or resume the vCPUs; the result says whether it happened.</summary>
    public sealed record Suspend(bool Pause, TaskCompletionSource<PauseOutcome> Done) : SupervisorInput;

    /// <summary>Completes once every input queued before it has been handled (tests).</summary>
    public sealed record Barrier(TaskCompletionSource Done) : SupervisorInput;
}
