namespace Concierge.Client;

/// <summary>The four lifecycle signals of the Chrome OS face.</summary>
public enum VmLifecycleEventKind
{
    /// <summary>VmStartingUpSignal: the monitor is being built.</summary>
    StartingUp,

    /// <summary>VmStartedSignal: the guest said hello.</summary>
    Started,

    /// <summary>VmStoppingSignal: a stop began.</summary>
    Stopping,

    /// <summary>VmStoppedSignal: the VM ended.</summary>
    Stopped,
}
