using Concierge.Service.Api;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using NUnit.Framework;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Tests.Service.Api;

[TestFixture, Category("Unit")]
public sealed class VmInfoMapperTests
{
    private static readonly VmRecord Record = new()
    {
        Owner = 1000,
        Name = "dev",
        Definition = new VmDefinition { KernelPath = "/k", Vcpus = 2, MemoryMiB = 1024 },
        State = VmState.Stopped,
        StopReason = VmStopReason.ServiceCrashed,
        FailureReason = "the service stopped while the VM was running",
    };

    [Test]
    public void A_stored_record_shows_its_persisted_state()
    {
        var info = VmInfoMapper.ToVmInfo(Record, live: null, cid: null);

        Assert.Multiple(() =>
        {
            Assert.That(info.Status, Is.EqualTo(Proto.VmStatus.Stopped));
            Assert.That(info.StopReason, Is.EqualTo(Proto.VmStopReason.ServiceCrashed));
            Assert.That(info.FailureReason, Does.Contain("service stopped"));
            Assert.That(info.AllocatedMemory, Is.EqualTo(1024L * 1024 * 1024));
            Assert.That(info.Vcpus, Is.EqualTo(2));
            Assert.That(info.Cid, Is.Zero);
        });
    }

    [Test]
    public void A_live_status_wins_and_times_are_unix_microseconds()
    {
        var started = DateTimeOffset.UnixEpoch.AddSeconds(100);
        var live = new VmStatusSnapshot
        {
            State = VmState.Running,
            Health = VmHealth.Healthy,
            StartedAt = started,
            BootDuration = TimeSpan.FromMilliseconds(1500),
            LastHeartbeatAt = started.AddSeconds(2),
            KernelVersion = "6.1.0",
            RestartCount = 1,
        };

        var info = VmInfoMapper.ToVmInfo(Record with { FailureReason = null, StopReason = null }, live, 33);

        Assert.Multiple(() =>
        {
            Assert.That(info.Status, Is.EqualTo(Proto.VmStatus.Running));
            Assert.That(info.Health, Is.EqualTo(Proto.VmHealth.Healthy));
            Assert.That(info.Cid, Is.EqualTo(33));
            Assert.That(info.StartedUsec, Is.EqualTo(100_000_000));
            Assert.That(info.BootDurationUsec, Is.EqualTo(1_500_000));
            Assert.That(info.LastHeartbeatUsec, Is.EqualTo(102_000_000));
            Assert.That(info.KernelVersion, Is.EqualTo("6.1.0"));
            Assert.That(info.RestartCount, Is.EqualTo(1));
        });
    }
}
