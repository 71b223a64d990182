namespace Concierge.Client;

/// <summary>A running guest's health, from its heartbeats.</summary>
public enum VmHealth
{
    /// <summary>No heartbeat seen yet (or the VM is not running).</summary>
    Unknown,

    /// <summary>Heartbeats arrive.</summary>
    Healthy,

    /// <summary>Heartbeats stopped arriving.</summary>
    Unresponsive,
}
