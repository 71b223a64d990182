using Concierge.Service.Supervision;
using Concierge.Vmm;
using MonitorExit = Concierge.Vmm.VmExit;
using SupervisorExit = Concierge.Service.Supervision.VmExit;

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
    public static SupervisorExit Translate(MonitorExit exit, bool killed) => exit.Reason switch
    {
        VmExitReason.PowerOff => new(VmExitKind.PowerOff, exit.Detail),
        VmExitReason.Reboot => new(VmExitKind.GuestCrash, $"the guest reset itself (reboot or kernel panic): {exit.Detail}"),
        VmExitReason.Shutdown => new(VmExitKind.TripleFault, exit.Detail),
        VmExitReason.HostStop when killed => new(VmExitKind.Killed, exit.Detail),
        VmExitReason.HostStop => new(VmExitKind.MonitorStopped, exit.Detail),
        VmExitReason.Fault when exit.Error is GuestFaultException => new(VmExitKind.DeviceFault, exit.Detail),
        _ => new(VmExitKind.MonitorFault, exit.Detail),
    };
}
