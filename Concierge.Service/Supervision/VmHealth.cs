namespace Concierge.Service.Supervision;

/// <summary>Health of a running guest, judged from its heartbeats.</summary>
public enum VmHealth
{
    /// <summary>Not running, so there is nothing to judge.</summary>
    Unknown,

    /// <summary>Heartbeats arrive in time.</summary>
    Healthy,

    /// <summary>The configured number of heartbeat intervals passed without one.</summary>
    Unresponsive,
}
