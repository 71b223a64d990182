namespace Concierge.Client;

/// <summary>What the service does when a VM ends on its own.</summary>
public enum RestartPolicy
{
    /// <summary>Never restart.</summary>
    Never,

    /// <summary>Restart after a failure (crash, start timeout, device fault).</summary>
    OnFailure,

    /// <summary>Restart after a failure and when the guest stays unresponsive.</summary>
    OnUnresponsive,
}
