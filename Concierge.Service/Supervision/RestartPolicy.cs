namespace Concierge.Service.Supervision;

/// <summary>What the supervisor does when a VM ends without being asked to.</summary>
public enum RestartPolicy
{
    /// <summary>Leave it stopped or failed.</summary>
    Never,

    /// <summary>Restart after a failure (crash, start timeout, device fault).</summary>
    OnFailure,

    /// <summary>Restart after a failure, and also stop and restart a guest that stays unresponsive.</summary>
    OnUnresponsive,
}
