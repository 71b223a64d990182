namespace Concierge.Client;

/// <summary>Where a VM stands in its lifecycle.</summary>
public enum VmState
{
    /// <summary>The service reported a state this client does not know.</summary>
    Unknown,

    /// <summary>The monitor runs; the guest has not said hello yet.</summary>
    Starting,

    /// <summary>The guest said hello.</summary>
    Running,

    /// <summary>A stop is in progress.</summary>
    Stopping,

    /// <summary>Not running (never started, or ended).</summary>
    Stopped,

    /// <summary>Ended by a failure (start timeout, guest crash, device fault).</summary>
    Failed,

    /// <summary>vCPUs paused.</summary>
    Suspended,
}
