using Concierge.Service.Supervision;
using Concierge.Vmm;

namespace Concierge.Service.Runtime;

/// <summary>How the monitor's exit reasons read to the supervisor.</summary>
internal static class VmExitTranslation
{
    /// <summary>
    /// Translates <paramref name="exit"/>. A guest reset counts as a crash: the stock kernel runs
    /// with <c>panic=-1 reboot=k</c>, so a panic arrives as an i8042 reset, and the monitor cannot
    /// reboot in place (the restart policy decides whether a new instance starts). A host stop
    /// is a kill when <paramref name="killed"/>.
    /// </summary>
    public static InstanceExit Translate(VmExit exit, bool killed) => exit.Reason switch
    {
        VmExitReason.PowerOff => new(InstanceExitKind.PowerOff, exit.Detail),
        VmExitReason.Reboot => new(InstanceExitKind.GuestCrash, $"the guest reset itself (reboot or kernel panic): {exit.Detail}"),
        VmExitReason.Shutdown => new(InstanceExitKind.TripleFault, exit.Detail),
        VmExitReason.HostStop when killed => new(InstanceExitKind.Killed, exit.Detail),
        VmExitReason.HostStop => new(InstanceExitKind.MonitorStopped, exit.Detail),
        VmExitReason.Fault when exit.Error is GuestFaultException => new(InstanceExitKind.DeviceFault, exit.Detail),
        _ => new(InstanceExitKind.MonitorFault, exit.Detail),
    };
}
