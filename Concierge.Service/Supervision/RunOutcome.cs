namespace Concierge.Service.Supervision;

/// <summary>How one instance's run ended, and whether the supervisor will start another.</summary>
/// <param name="State">Stopped or Failed.</param>
/// <param name="Reason">Why.</param>
/// <param name="FailureReason">Detail when failed.</param>
/// <param name="RestartDelay">When not null, a restart follows after this delay.</param>
internal sealed record RunOutcome(VmState State, VmStopReason Reason, string? FailureReason, TimeSpan? RestartDelay);
