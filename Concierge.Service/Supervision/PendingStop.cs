namespace Concierge.Service.Supervision;

/// <summary>The state a run ends in once a stop in progress sees the instance exit.</summary>
/// <param name="State">Stopped or Failed.</param>
/// <param name="Reason">Why.</param>
/// <param name="FailureReason">Detail when failed.</param>
internal readonly record struct PendingStop(VmState State, VmStopReason Reason, string? FailureReason);
