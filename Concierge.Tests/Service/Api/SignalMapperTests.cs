using Concierge.Service.Api;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using NUnit.Framework;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Tests.Service.Api;

[TestFixture, Category("Unit")]
public sealed class SignalMapperTests
{
    private static readonly VmKey Key = new(1000, "dev");

    [Test]
    public void Starting_is_starting_up()
    {
        var signal = Map(VmState.Stopped, VmState.Starting);
        Assert.That(signal, Is.EqualTo(new Proto.VmStartingUpSignal { Name = "dev", OwnerId = "1000", Cid = 40 }));
    }

    [Test]
    public void Running_after_starting_is_started_with_the_vm_info()
    {
        var signal = (Proto.VmStartedSignal)Map(VmState.Starting, VmState.Running)!;
        Assert.That(signal.Status, Is.EqualTo(Proto.VmStatus.Running));
        Assert.That(signal.VmInfo.Cid, Is.EqualTo(40));
    }

    [Test]
    public void Failed_is_stopped_with_the_reason()
    {
        var signal = Map(VmState.Running, VmState.Failed, VmStopReason.Failed, "guest crashed: panic");
        Assert.That(signal, Is.EqualTo(new Proto.VmStoppedSignal
        {
            Name = "dev",
            OwnerId = "1000",
            Cid = 40,
            Reason = Proto.VmStopReason.VmFailed,
            FailureReason = "guest crashed: panic",
        }));
    }

    [Test]
    public void Stopping_and_stopped_on_request()
    {
        Assert.That(Map(VmState.Running, VmState.Stopping), Is.InstanceOf<Proto.VmStoppingSignal>());
        var stopped = (Proto.VmStoppedSignal)Map(VmState.Stopping, VmState.Stopped, VmStopReason.StopRequested)!;
        Assert.That(stopped.Reason, Is.EqualTo(Proto.VmStopReason.StopVmRequested));
    }

    [Test]
    public void Health_changes_and_resume_are_no_chrome_os_signal()
    {
        Assert.That(Map(VmState.Running, VmState.Running), Is.Null);
        Assert.That(Map(VmState.Suspended, VmState.Running), Is.Null);
        Assert.That(Map(VmState.Running, VmState.Suspended), Is.Null);
    }

    private static Google.Protobuf.IMessage? Map(VmState from, VmState to, VmStopReason? reason = null, string? failure = null) =>
        SignalMapper.ToSignal(
            new VmTransition(Key, 40, new VmStatusSnapshot { State = from }, new VmStatusSnapshot { State = to, StopReason = reason, FailureReason = failure }),
            new Proto.VmInfo { Cid = 40 });
}
