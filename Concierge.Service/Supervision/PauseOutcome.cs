namespace Concierge.Service.Supervision;

/// <summary>What became of a suspend or resume request.</summary>
public enum PauseResult
{
    /// <summary>The VM is now suspended (or running again).</summary>
    Done,

    /// <summary>Refused: the VM was not running (or not suspended), or is being stopped.</summary>
    WrongState,

    /// <summary>The monitor failed or did not answer in time; the VM's state did not change.</summary>
    MonitorFailed,
}

/// <summary>A suspend or resume answer: the result and, when the monitor failed, why.</summary>
/// <param name="Result">What became of the request.</param>
/// <param name="MonitorError">The monitor's error for <see cref="PauseResult.MonitorFailed"/>.</param>
public sealed record PauseOutcome(PauseResult Result, string? MonitorError = null)
{
    /// <summary>The request was carried out.</summary>
    public static PauseOutcome Done { get; } = new(PauseResult.Done);

    /// <summary>The request was refused for the VM's state.</summary>
    public static PauseOutcome WrongState { get; } = new(PauseResult.WrongState);
}
