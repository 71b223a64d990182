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
        var plan = VmPlan.Create(new VmDefinition { HeartbeatInterval = TimeSpan.FromMilliseconds(500) }, null, Options);

        Assert.That(plan.Kernel, Is.EqualTo(ImageSource.FromPath("/opt/guest/vmlinuz")));
        Assert.That(plan.Initrd, Is.EqualTo(ImageSource.FromPath("/opt/guest/initramfs.cpio.gz")));
        Assert.That(plan.CommandLine, Does.StartWith(VmPlan.MonitorCommandLine).And.Contain("concierge.heartbeat_ms=500"));
        Assert.That(plan.CommandLine, Does.Not.Contain("concierge.rootfs"));
        Assert.That(plan.Rootfs, Is.Null);
    }

    [Test]
    public void OwnKernelWithoutInitrdGetsNone()
    {
        var plan = VmPlan.Create(new VmDefinition { KernelPath = "/k/bzImage" }, null, Options);

        Assert.That((plan.Kernel, plan.Initrd), Is.EqualTo((ImageSource.FromPath("/k/bzImage"), (ImageSource?)null)));
    }

    [Test]
    public void RootfsBecomesVdaAndTheCallersParametersComeLast()
    {
        var plan = VmPlan.Create(new VmDefinition { RootfsPath = "/d/root.img", KernelParams = ["concierge.config=/etc/concierge/app.json"], Vcpus = 2, MemoryMiB = 300 }, null, Options);

        Assert.That(plan.Rootfs, Is.EqualTo(ImageSource.FromPath("/d/root.img")));
        Assert.That(plan.CommandLine, Does.EndWith("concierge.rootfs=/dev/vda concierge.config=/etc/concierge/app.json"));
        Assert.That((plan.Vcpus, plan.MemoryMiB), Is.EqualTo((2, 300)));
    }

    [Test]
    public void RefusesKernelParametersWithControlCharacters() =>
        Assert.That(() => VmPlan.Create(new VmDefinition { KernelParams = ["a\nb"] }, null, Options), Throws.InstanceOf<VmConfigException>());

    [Test]
    public void AVmDefinedFromPassedFdsNeverFallsBackToTheBuiltInGuest() =>
        Assert.That(() => VmPlan.Create(new VmDefinition { FromPassedFds = true }, null, Options),
            Throws.InstanceOf<VmConfigException>().With.Message.Contain("passed fds"));
}
