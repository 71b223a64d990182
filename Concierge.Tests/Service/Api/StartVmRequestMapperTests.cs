using Concierge.Service.Api;
using Concierge.Service.Naming;
using Concierge.Service.Supervision;
using NUnit.Framework;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Tests.Service.Api;

[TestFixture, Category("Unit")]
public sealed class StartVmRequestMapperTests
{
    private static readonly StartVmLimits Limits = new() { MaxVcpus = 4 };

    [Test]
    public void Fills_defaults_for_zero_fields()
    {
        var (key, definition) = StartVmRequestMapper.ToDefinition(new Proto.StartVmRequest { Name = "dev", KernelPath = "/boot/vmlinuz" }, 1000, Limits);

        Assert.Multiple(() =>
        {
            Assert.That(key.ToString(), Is.EqualTo("1000/dev"));
            Assert.That(definition.Vcpus, Is.EqualTo(1));
            Assert.That(definition.MemoryMiB, Is.EqualTo(512));
            Assert.That(definition.StartupTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(definition.HeartbeatInterval, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(definition.MissedHeartbeats, Is.EqualTo(3));
            Assert.That(definition.RestartPolicy, Is.EqualTo(RestartPolicy.Never));
            Assert.That(definition.InitrdPath, Is.Null);
        });
    }

    [Test]
    public void Takes_what_the_caller_asked_for_within_bounds()
    {
        var request = new Proto.StartVmRequest
        {
            Name = "dev",
            KernelPath = "/k",
            InitrdPath = "/i",
            Cpus = 4,
            MemoryMib = 2048,
            Timeout = 5,
            HeartbeatIntervalMs = 250,
            MissedHeartbeats = 5,
            RestartPolicy = Proto.RestartPolicy.RestartOnUnresponsive,
            KernelParams = { "quiet", "console=ttyS0" },
        };

        var (_, definition) = StartVmRequestMapper.ToDefinition(request, 0, Limits);

        Assert.Multiple(() =>
        {
            Assert.That(definition.Vcpus, Is.EqualTo(4));
            Assert.That(definition.MemoryMiB, Is.EqualTo(2048));
            Assert.That(definition.StartupTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(definition.HeartbeatInterval, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(definition.MissedHeartbeats, Is.EqualTo(5));
            Assert.That(definition.RestartPolicy, Is.EqualTo(RestartPolicy.OnUnresponsive));
            Assert.That(definition.KernelParams, Is.EqualTo(new[] { "quiet", "console=ttyS0" }));
        });
    }

    private static IEnumerable<TestCaseData> Refusals()
    {
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "../x", KernelPath = "/k" }, "name");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev" }, "kernel_path");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "relative/k" }, "kernel_path");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k\0" }, "kernel_path");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/" + new string('k', 5000) }, "kernel_path");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", InitrdPath = "i" }, "initrd_path");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", Cpus = 5 }, "cpus");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", MemoryMib = 1 }, "memory_mib");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", MemoryMib = ulong.MaxValue }, "memory_mib");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", Timeout = uint.MaxValue }, "timeout");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", HeartbeatIntervalMs = 1 }, "heartbeat_interval_ms");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", MissedHeartbeats = 1000 }, "missed_heartbeats");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", RestartPolicy = (Proto.RestartPolicy)77 }, "restart_policy");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", KernelParams = { "init=/bin/sh rw" } }, "kernel_params");
        yield return new TestCaseData(new Proto.StartVmRequest { Name = "dev", KernelPath = "/k", KernelParams = { "" } }, "kernel_params");
        var many = new Proto.StartVmRequest { Name = "dev", KernelPath = "/k" };
        many.KernelParams.Add(Enumerable.Repeat("quiet", 65));
        yield return new TestCaseData(many, "kernel_params");
    }

    [TestCaseSource(nameof(Refusals))]
    public void Refuses_out_of_bounds_or_hostile_fields(Proto.StartVmRequest request, string field)
    {
        var error = Assert.Throws<InvalidRequestException>(() => StartVmRequestMapper.ToDefinition(request, 1000, Limits))!;
        Assert.That(error.Field, Is.EqualTo(field));
    }
}
