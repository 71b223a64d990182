using Concierge.Service.Runtime;
using Concierge.Service.Supervision;
using Concierge.Vmm;
using NUnit.Framework;
using MonitorExit = Concierge.Vmm.VmExit;

namespace Concierge.Tests.Service.Runtime;

[TestFixture, Category("Unit")]
public sealed class VmExitTranslationTests
{
    [TestCase(VmExitReason.PowerOff, false, VmExitKind.PowerOff)]
    [TestCase(VmExitReason.Reboot, false, VmExitKind.GuestCrash)]
    [TestCase(VmExitReason.Shutdown, false, VmExitKind.TripleFault)]
    [TestCase(VmExitReason.InternalError, false, VmExitKind.MonitorFault)]
    [TestCase(VmExitReason.HostStop, false, VmExitKind.MonitorStopped)]
    [TestCase(VmExitReason.HostStop, true, VmExitKind.Killed)]
    [TestCase(VmExitReason.Fault, false, VmExitKind.MonitorFault)]
    public void MonitorExitsReadAsSupervisorExits(VmExitReason reason, bool killed, VmExitKind expected)
    {
        var exit = VmExitTranslation.Translate(new MonitorExit(reason, "detail"), killed);

        Assert.That(exit.Kind, Is.EqualTo(expected));
        Assert.That(exit.Detail, Does.Contain("detail"));
    }

    [Test]
    public void AGuestBreakingADeviceIsADeviceFault()
    {
        var exit = VmExitTranslation.Translate(new MonitorExit(VmExitReason.Fault, "virtio-Vsock broke", new GuestFaultException("bad descriptor")), killed: false);

        Assert.That(exit.Kind, Is.EqualTo(VmExitKind.DeviceFault));
        Assert.That(exit.IsFailure, Is.True);
    }
}
