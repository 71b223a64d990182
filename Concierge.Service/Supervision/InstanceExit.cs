namespace Concierge.Service.Supervision;

/// <summary>How and why a VM instance ended.</summary>
/// <param name="Kind">The class of ending.</param>
/// <param name="Detail">Human-readable detail for logs and failure reasons.</param>
public sealed record InstanceExit(InstanceExitKind Kind, string Detail)
{
    /// <summary>True for endings nobody asked for and the guest did not choose cleanly.</summary>
    public bool IsFailure => Kind is InstanceExitKind.GuestCrash or InstanceExitKind.TripleFault
        or InstanceExitKind.DeviceFault or InstanceExitKind.MonitorFault;
}
