namespace Concierge.Service.Supervision;

/// <summary>How far a stop has escalated.</summary>
internal enum StopStep
{
    /// <summary>No stop in progress.</summary>
    None,

    /// <summary>The guest was asked to shut down.</summary>
    AskedGuest,

    /// <summary>The monitor was told to stop.</summary>
    StoppedMonitor,

    /// <summary>The instance was killed.</summary>
    Killed,
}
