using Concierge.Service.Registry;
using Concierge.Service.Runtime;
using Concierge.Service.Supervision;
using Concierge.Vmm;
using Concierge.Vmm.Images;
using NUnit.Framework;

namespace Concierge.Tests.Service.Runtime;

[TestFixture, Category("Unit")]
public sealed class VmPlanTests
{
    private const uint Cid = 40;
    private static readonly VmRuntimeOptions Options = new() { GuestDirectory = "/opt/guest" };

    [Test]
    public void NoKernelMeansTheBuiltInGuestWithItsInitramfs()
    {
        var plan = Plan(new VmDefinition { HeartbeatInterval = TimeSpan.FromMilliseconds(500) });

        Assert.That(plan.Kernel, Is.EqualTo(ImageSource.FromPath("/opt/guest/vmlinuz")));
        Assert.That(plan.Initrd, Is.EqualTo(ImageSource.FromPath("/opt/guest/initramfs.cpio.gz")));
        Assert.That(plan.CommandLine, Does.StartWith(VmPlan.MonitorCommandLine).And.Contain("concierge.heartbeat_ms=500"));
        Assert.That(plan.CommandLine, Does.Not.Contain("concierge.rootfs"));
        Assert.That(plan.Rootfs, Is.Null);
    }

    [Test]
    public void OwnKernelWithoutInitrdGetsNone()
    {
        var plan = Plan(new VmDefinition { KernelPath = "/k/bzImage" });

        Assert.That((plan.Kernel, plan.Initrd), Is.EqualTo((ImageSource.FromPath("/k/bzImage"), (ImageSource?)null)));
    }

    [Test]
    public void RootfsBecomesVdaAndTheCallersParametersComeLast()
    {
        var plan = Plan(new VmDefinition { RootfsPath = "/d/root.img", KernelParams = ["concierge.config=/etc/concierge/app.json"], Vcpus = 2, MemoryMiB = 300 });

        Assert.That(plan.Rootfs, Is.EqualTo(ImageSource.FromPath("/d/root.img")));
        Assert.That(plan.CommandLine, Does.EndWith("concierge.rootfs=/dev/vda concierge.config=/etc/concierge/app.json"));
        Assert.That((plan.Vcpus, plan.MemoryMiB), Is.EqualTo((2, 300)));
    }

    [Test]
    public void RefusesKernelParametersWithControlCharacters() =>
        Assert.That(() => Plan(new VmDefinition { KernelParams = ["a\nb"] }), Throws.InstanceOf<VmConfigException>());

    [Test]
    public void ThePlanCarriesTheVmsCid() =>
        Assert.That(Plan(new VmDefinition()).Cid, Is.EqualTo(Cid));

    [Test]
    public void AVmDefinedFromPassedFdsNeverFallsBackToTheBuiltInGuest() =>
        Assert.That(() => Plan(new VmDefinition { FromPassedFds = true }),
            Throws.InstanceOf<VmConfigException>().With.Message.Contain("passed fds"));

    [Test]
    public void TheSpecDeclaresTheRootfsAsTheFirstDiskWithRngAndVsockOnTheCid()
    {
        var scratch = Directory.CreateTempSubdirectory("plan-");
        try
        {
            var kernel = Path.Combine(scratch.FullName, "vmlinuz");
            var rootfs = Path.Combine(scratch.FullName, "root.img");
            File.WriteAllBytes(kernel, new byte[4096]);
            File.WriteAllBytes(rootfs, new byte[1 << 20]);

            var spec = Plan(new VmDefinition { KernelPath = kernel, RootfsPath = rootfs }).OpenSpec();
            using var kernelFile = spec.Kernel;
            using var rootfsFile = spec.BlockDevices[0].Image;

            Assert.That(spec.BlockDevices.Select(disk => (disk.Image.Name, disk.ReadOnly, disk.Serial)),
                Is.EqualTo(new[] { (rootfs, false, VmPlan.RootfsSerial) }));
            Assert.That((spec.Initrd, spec.Rng, spec.Vsock), Is.EqualTo(((ImageFile?)null, true, new VsockDeviceSpec(Cid))));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Test]
    public void ExtraDisksFollowTheRootfsInOrderWithTheirSerialsAndAccess()
    {
        var scratch = Directory.CreateTempSubdirectory("plan-");
        try
        {
            var kernel = Path.Combine(scratch.FullName, "vmlinuz");
            var rootfs = Path.Combine(scratch.FullName, "root.img");
            var data = Path.Combine(scratch.FullName, "data.img");
            var media = Path.Combine(scratch.FullName, "media.img");
            File.WriteAllBytes(kernel, new byte[4096]);
            foreach (var disk in new[] { rootfs, data, media })
            {
                File.WriteAllBytes(disk, new byte[1 << 20]);
            }

            var spec = Plan(new VmDefinition
            {
                KernelPath = kernel,
                RootfsPath = rootfs,
                Disks = [new DiskDefinition(data, Writable: true), new DiskDefinition(media, Writable: false)],
            }).OpenSpec();
            using var kernelFile = spec.Kernel;
            foreach (var disk in spec.BlockDevices)
            {
                disk.Image.Dispose();
            }

            Assert.That(spec.BlockDevices.Select(disk => (disk.Image.Name, disk.ReadOnly, disk.Serial)), Is.EqualTo(new[]
            {
                (rootfs, false, VmPlan.RootfsSerial),
                (data, false, "disk1"),
                (media, true, "disk2"),
            }));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Test]
    public void ADiskWithNeitherPathNorPassedFdIsRefused() =>
        Assert.That(() => Plan(new VmDefinition { Disks = [new DiskDefinition("", Writable: true)] }),
            Throws.InstanceOf<VmConfigException>().With.Message.Contain("disk 0"));

    private static VmPlan Plan(VmDefinition definition) =>
        VmPlan.Create(new VmLaunch(new VmKey(1000, "plan"), Cid, definition, "/nonexistent/console.log", Attempt: 0), Options);
}
