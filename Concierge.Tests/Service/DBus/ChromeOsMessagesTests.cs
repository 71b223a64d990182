using Concierge.Service.DBus;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;
using NUnit.Framework;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Tests.Service.DBus;

/// <summary>The Chrome OS face's outbound mapper, as the service sends replies and signals with it.</summary>
[TestFixture, Category("Unit")]
public sealed class ChromeOsMessagesTests
{
    private static readonly VmKey Key = new(1000, "dev");

    private static readonly VmView View = new(Key, new VmDefinition { KernelPath = "/k", Vcpus = 2, MemoryMiB = 1024 }, 40,
        new VmStatusSnapshot { State = VmState.Running });

    [Test]
    public void EveryStateHasItsOwnDefinedWireStatus()
    {
        // Stopped is the one fallback: a state added later must get its own line.
        var statuses = Enum.GetValues<VmState>().Select(ChromeOsMessages.Status).ToList();
        Assert.That(statuses, Is.Unique);
        Assert.That(statuses, Has.All.Matches<Proto.VmStatus>(s => Enum.IsDefined(s) && s != Proto.VmStatus.Unknown));
    }

    [Test]
    public void EveryStopReasonHasItsOwnDefinedWireReason()
    {
        var reasons = Enum.GetValues<VmStopReason>().Select(ChromeOsMessages.StopReason).ToList();
        Assert.That(reasons, Is.Unique);
        Assert.That(reasons, Has.All.Matches<Proto.VmStopReason>(r => Enum.IsDefined(r)));
        Assert.That(ChromeOsMessages.StopReason(VmStopReason.StopRequested), Is.EqualTo(Proto.VmStopReason.StopVmRequested));
    }

    [Test]
    public void VmInfoCarriesTheDefinitionAndUnixMicroseconds()
    {
        var started = DateTimeOffset.UnixEpoch.AddSeconds(100);
        var info = ChromeOsMessages.Info(View with
        {
            Status = new VmStatusSnapshot
            {
                State = VmState.Running,
                Health = VmHealth.Healthy,
                StartedAt = started,
                BootDuration = TimeSpan.FromMilliseconds(1500),
                LastHeartbeatAt = started.AddSeconds(2),
                KernelVersion = "6.1.0",
                RestartCount = 1,
            },
        });

        Assert.Multiple(() =>
        {
            Assert.That(info.Status, Is.EqualTo(Proto.VmStatus.Running));
            Assert.That(info.Health, Is.EqualTo(Proto.VmHealth.Healthy));
            Assert.That(info.Cid, Is.EqualTo(40));
            Assert.That(info.Vcpus, Is.EqualTo(2));
            Assert.That(info.AllocatedMemory, Is.EqualTo(1024L << 20));
            Assert.That(info.StartedUsec, Is.EqualTo(100_000_000));
            Assert.That(info.BootDurationUsec, Is.EqualTo(1_500_000));
            Assert.That(info.LastHeartbeatUsec, Is.EqualTo(102_000_000));
            Assert.That(info.KernelVersion, Is.EqualTo("6.1.0"));
            Assert.That(info.RestartCount, Is.EqualTo(1));
        });
    }

    [Test]
    public void StartingIsStartingUp()
    {
        var signal = Signal(VmState.Stopped, VmState.Starting);
        Assert.That(signal?.Member, Is.EqualTo("VmStartingUpSignal"));
        Assert.That(signal?.Payload, Is.EqualTo(new Proto.VmStartingUpSignal { Name = "dev", OwnerId = "1000", Cid = 40 }));
    }

    [Test]
    public void RunningAfterStartingIsStartedWithTheVmInfo()
    {
        var signal = Signal(VmState.Starting, VmState.Running);
        Assert.That(signal?.Member, Is.EqualTo("VmStartedSignal"));
        var started = (Proto.VmStartedSignal)signal!.Value.Payload;
        Assert.That(started.Status, Is.EqualTo(Proto.VmStatus.Running));
        Assert.That(started.VmInfo.Cid, Is.EqualTo(40));
    }

    [Test]
    public void FailedIsStoppedWithTheReason()
    {
        var signal = Signal(VmState.Running, VmState.Failed, VmStopReason.Failed, "guest crashed: panic");
        Assert.That(signal?.Member, Is.EqualTo("VmStoppedSignal"));
        Assert.That(signal?.Payload, Is.EqualTo(new Proto.VmStoppedSignal
        {
            Name = "dev",
            OwnerId = "1000",
            Cid = 40,
            Reason = Proto.VmStopReason.VmFailed,
            FailureReason = "guest crashed: panic",
        }));
    }

    [Test]
    public void StoppingAndStoppedOnRequest()
    {
        Assert.That(Signal(VmState.Running, VmState.Stopping)?.Member, Is.EqualTo("VmStoppingSignal"));
        var stopped = (Proto.VmStoppedSignal)Signal(VmState.Stopping, VmState.Stopped, VmStopReason.StopRequested)!.Value.Payload;
        Assert.That(stopped.Reason, Is.EqualTo(Proto.VmStopReason.StopVmRequested));
    }

    [Test]
    public void HealthChangesSuspendAndResumeAreNoChromeOsSignal()
    {
        Assert.That(Signal(VmState.Running, VmState.Running), Is.Null);
        Assert.That(Signal(VmState.Suspended, VmState.Running), Is.Null);
        Assert.That(Signal(VmState.Running, VmState.Suspended), Is.Null);
    }

    private static (string Member, Google.Protobuf.IMessage Payload)? Signal(VmState from, VmState to, VmStopReason? reason = null, string? failure = null) =>
        ChromeOsMessages.Signal(
            new VmTransition(Key, 40, new VmStatusSnapshot { State = from }, new VmStatusSnapshot { State = to, StopReason = reason, FailureReason = failure }),
            View);
}
