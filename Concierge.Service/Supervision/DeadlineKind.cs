namespace Concierge.Service.Supervision;

/// <summary>The timers a supervisor arms; one of each kind is live at a time.</summary>
internal enum DeadlineKind
{
    /// <summary>No hello within the startup timeout.</summary>
    Startup,

    /// <summary>No heartbeat within the allowed missed intervals.</summary>
    Health,

    /// <summary>The current stop escalation step took too long.</summary>
    StopStep,
}
