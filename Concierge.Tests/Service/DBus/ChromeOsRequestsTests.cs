using Concierge.Service.Api;
using Concierge.Service.DBus;
using Concierge.Service.Errors;
using Concierge.Tests.Service.Support;
using NUnit.Framework;
using Proto = Concierge.Service.Protocol;
using FdType = Concierge.Service.Protocol.StartVmRequest.Types.FdType;
using RestartPolicy = Concierge.Service.Supervision.RestartPolicy;

namespace Concierge.Tests.Service.DBus;

/// <summary>The Chrome OS face's inbound mapper, as StartVm and StartVmWithFds use it.</summary>
[TestFixture, Category("Unit")]
public sealed class ChromeOsRequestsTests
{
    [Test]
    public void EveryWirePolicyMapsAndAnUnknownOneIsRefused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ChromeOsRequests.Policy(Proto.RestartPolicy.RestartNever), Is.EqualTo(RestartPolicy.Never));
            Assert.That(ChromeOsRequests.Policy(Proto.RestartPolicy.RestartOnFailure), Is.EqualTo(RestartPolicy.OnFailure));
            Assert.That(ChromeOsRequests.Policy(Proto.RestartPolicy.RestartOnUnresponsive), Is.EqualTo(RestartPolicy.OnUnresponsive));
            var unknown = Assert.Throws<InvalidRequestException>(() => ChromeOsRequests.Policy((Proto.RestartPolicy)77));
            Assert.That(unknown!.Message, Does.Contain("77"));
        });
    }

    [Test]
    public void FieldsAndTypedFdsBecomeTheStartRequest()
    {
        using var directory = new TempDirectory();
        using var kernel = File.OpenHandle(Write(directory, "vmlinuz"));
        using var rootfs = File.OpenHandle(Write(directory, "rootfs.img"));
        var request = new Proto.StartVmRequest { Cpus = 2, MemoryMib = 512, InitrdPath = "/boot/initrd", RestartPolicy = Proto.RestartPolicy.RestartOnFailure };
        request.Fds.Add([FdType.Rootfs, FdType.Kernel]);
        request.KernelParams.Add("quiet");

        var start = ChromeOsRequests.Start(request, [rootfs, kernel]);

        Assert.Multiple(() =>
        {
            Assert.That(start.KernelFd, Is.SameAs(kernel));
            Assert.That(start.RootfsFd, Is.SameAs(rootfs));
            Assert.That(start.InitrdFd, Is.Null);
            Assert.That(start.InitrdPath, Is.EqualTo("/boot/initrd"));
            Assert.That(start.KernelPath, Is.Null, "an empty proto string is no path");
            Assert.That(start.Vcpus, Is.EqualTo(2));
            Assert.That(start.MemoryMiB, Is.EqualTo(512));
            Assert.That(start.KernelParams, Is.EqualTo(new[] { "quiet" }));
            Assert.That(start.RestartPolicy, Is.EqualTo(RestartPolicy.OnFailure));
        });
    }

    [TestCase(new[] { FdType.Kernel }, 2, "describes 1 fds but 2")]
    [TestCase(new[] { FdType.Kernel, FdType.Kernel }, 2, "passed twice")]
    [TestCase(new[] { FdType.Bios }, 1, "not supported")]
    [TestCase(new[] { FdType.Storage }, 1, "0 disks name no path but 1 STORAGE fds")]
    public void FdsThatDoNotMatchTheirDescriptionAreRefused(FdType[] described, int passed, string reason)
    {
        using var directory = new TempDirectory();
        var path = Write(directory, "image");
        var fds = Enumerable.Range(0, passed).Select(_ => File.OpenHandle(path)).ToList();
        var request = new Proto.StartVmRequest();
        request.Fds.Add(described);

        var error = Assert.Throws<InvalidRequestException>(() => ChromeOsRequests.Start(request, fds));

        Assert.That(error!.Message, Does.Contain(reason));
        fds.ForEach(fd => fd.Dispose());
    }

    [Test]
    public void DisksWithAPathAreByPathAndTheOthersTakeTheStorageFdsInOrder()
    {
        using var directory = new TempDirectory();
        using var first = File.OpenHandle(Write(directory, "first.img"));
        using var second = File.OpenHandle(Write(directory, "second.img"));
        var request = new Proto.StartVmRequest();
        request.Disks.Add(new Proto.DiskImage { Writable = true });
        request.Disks.Add(new Proto.DiskImage { Path = "/var/lib/data.img" });
        request.Disks.Add(new Proto.DiskImage());
        request.Fds.Add([FdType.Storage, FdType.Storage]);

        var disks = ChromeOsRequests.Start(request, [first, second]).Disks;

        Assert.That(disks, Is.EqualTo(new[]
        {
            new DiskRequest(null, first, Writable: true),
            new DiskRequest("/var/lib/data.img", null, Writable: false),
            new DiskRequest(null, second, Writable: false),
        }));
    }

    private static string Write(TempDirectory directory, string name)
    {
        var path = Path.Combine(directory.Path, name);
        File.WriteAllText(path, name);
        return path;
    }
}
