namespace Concierge.Service.Supervision;

/// <summary>Where a VM is in its life (DESIGN.md, "VM lifecycle and health").</summary>
public enum VmState
{
    /// <summary>Not running: never started, or stopped on request or by its own power-off.</summary>
    Stopped,

    /// <summary>Monitor built and vCPUs running; waiting for the guest's hello.</summary>
    Starting,

    /// <summary>The guest said hello; heartbeats decide its health.</summary>
    Running,

    /// <summary>A stop is escalating: guest asked, then the monitor stopped, then killed.</summary>
    Stopping,

    /// <summary>Ended abnormally (start timeout, guest crash, device fault); see the failure reason.</summary>
    Failed,

    /// <summary>vCPUs paused on request.</summary>
    Suspended,
}
