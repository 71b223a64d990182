using Concierge.Service.Runtime;
using Concierge.Service.Supervision;
using Concierge.Vmm;
using NUnit.Framework;

namespace Concierge.Tests.Service.Runtime;

[TestFixture, Category("Unit")]
public sealed class VmExitTranslationTests
{
    [TestCase(VmExitReason.PowerOff, false, InstanceExitKind.PowerOff)]
    [TestCase(VmExitReason.Reboot, false, InstanceExitKind.GuestCrash)]
    [TestCase(VmExitReason.Shutdown, false, InstanceExitKind.TripleFault)]
    [TestCase(VmExitReason.InternalError, false, InstanceExitKind.MonitorFault)]
    [TestCase(VmExitReason.HostStop, false, InstanceExitKind.MonitorStopped)]
    [TestCase(VmExitReason.HostStop, true, InstanceExitKind.Killed)]
    [TestCase(VmExitReason.Fault, false, InstanceExitKind.MonitorFault)]
    public void MonitorExitsReadAsSupervisorExits(VmExitReason reason, bool killed, InstanceExitKind expected)
    {
        var exit = VmExitTranslation.Translate(new VmExit(reason, "detail"), killed);

        Assert.That(exit.Kind, Is.EqualTo(expected));
        Assert.That(exit.Detail, Does.Contain("detail"));
    }

    [Test]
    public void AGuestBreakingADeviceIsADeviceFault()
    {
        var exit = VmExitTranslation.Translate(new VmExit(VmExitReason.Fault, "virtio-Vsock broke", new GuestFaultException("bad descriptor")), killed: false);

        Assert.That(exit.Kind, Is.EqualTo(InstanceExitKind.DeviceFault));
        Assert.That(exit.IsFailure, Is.True);
    }
}
