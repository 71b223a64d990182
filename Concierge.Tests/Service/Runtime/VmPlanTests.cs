using Concierge.Service.Registry;
using Concierge.Service.Runtime;
using Concierge.Vmm;
using NUnit.Framework;

namespace Concierge.Tests.Service.Runtime;

[TestFixture, Category("Unit")]
public sealed class VmPlanTests
{
    private static readonly VmRuntimeOptions Options = new() { GuestDirectory = "/opt/guest" };

    [Test]
    public void NoKernelMeansTheBuiltInGuestWithItsInitramfs()
    {
        var plan = VmPlan.Create(new VmDefinition { HeartbeatInterval = TimeSpan.FromMilliseconds(500) }, Options);

        Assert.That(plan.Spec.KernelPath, Is.EqualTo("/opt/guest/vmlinuz"));
        Assert.That(plan.Spec.InitrdPath, Is.EqualTo("/opt/guest/initramfs.cpio.gz"));
        Assert.That(plan.Spec.CommandLine, Does.StartWith(VmPlan.MonitorCommandLine).And.Contain("concierge.heartbeat_ms=500"));
        Assert.That(plan.Spec.CommandLine, Does.Not.Contain("concierge.rootfs"));
        Assert.That(plan.RootfsPath, Is.Null);
    }

    [Test]
    public void OwnKernelWithoutInitrdGetsNone()
    {
        var plan = VmPlan.Create(new VmDefinition { KernelPath = "/k/bzImage" }, Options);

        Assert.That((plan.Spec.KernelPath, plan.Spec.InitrdPath), Is.EqualTo(("/k/bzImage", (string?)null)));
    }

    [Test]
    public void RootfsBecomesVdaAndTheCallersParametersComeLast()
    {
        var plan = VmPlan.Create(new VmDefinition { RootfsPath = "/d/root.img", KernelParams = ["concierge.config=/etc/concierge/app.json"], Vcpus = 2, MemoryMiB = 300 }, Options);

        Assert.That(plan.RootfsPath, Is.EqualTo("/d/root.img"));
        Assert.That(plan.Spec.CommandLine, Does.EndWith("concierge.rootfs=/dev/vda concierge.config=/etc/concierge/app.json"));
        Assert.That((plan.Spec.Vcpus, plan.Spec.MemoryMiB), Is.EqualTo((2, 300)));
    }

    [Test]
    public void RefusesWhatTheMonitorCannotRun()
    {
        Assert.That(() => VmPlan.Create(new VmDefinition { Vcpus = 1000 }, Options), Throws.InstanceOf<VmConfigException>());
        Assert.That(() => VmPlan.Create(new VmDefinition { MemoryMiB = ulong.MaxValue }, Options), Throws.InstanceOf<VmConfigException>());
        Assert.That(() => VmPlan.Create(new VmDefinition { Vcpus = 0 }, Options), Throws.InstanceOf<VmConfigException>());
        Assert.That(() => VmPlan.Create(new VmDefinition { KernelParams = ["a\nb"] }, Options), Throws.InstanceOf<VmConfigException>());
    }
}
