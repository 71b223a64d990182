using Concierge.Tests.TestSupport;
using Concierge.Vmm;
using Concierge.Vmm.Images;
using NUnit.Framework;

namespace Concierge.Tests.Vmm;

[TestFixture, Category("Unit")]
public sealed class VmSpecTests
{
    [Test]
    public void ValidSpecKeepsItsValues()
    {
        using var kernel = Kernel();
        var spec = new VmSpec(kernel, null, 2, 256, "console=ttyS0");
        Assert.That((spec.Kernel, spec.Initrd, spec.Vcpus, spec.MemoryMiB, spec.CommandLine), Is.EqualTo((kernel, (ImageFile?)null, 2, 256, "console=ttyS0")));
        Assert.That(spec.MemoryBytes, Is.EqualTo(256UL << 20));
    }

    [TestCase(0, 256)]
    [TestCase(VmSpec.MaxVcpus + 1, 256)]
    [TestCase(1, 8)]
    [TestCase(1, VmSpec.MaxMemoryMiB + 1)]
    public void ImpossibleValuesAreRefused(int vcpus, int memoryMiB)
    {
        using var kernel = Kernel();
        Assert.Throws<VmConfigException>(() => _ = new VmSpec(kernel, null, vcpus, memoryMiB));
    }

    [TestCase(0ul, 64ul)]
    [TestCase(33ul, 64ul)]
    [TestCase(1ul, 63ul)]
    [TestCase(1ul, (1ul << 32) + 256)]
    [TestCase(ulong.MaxValue, ulong.MaxValue)]
    public void LimitsAreCheckedOnTheWideValueBeforeAnyoneNarrowsIt(ulong vcpus, ulong memoryMiB) =>
        Assert.Throws<VmConfigException>(() => VmSpec.CheckLimits(vcpus, memoryMiB));

    [Test]
    public void ASpecDeclaresNoDevicesUnlessAsked()
    {
        using var kernel = Kernel();
        var spec = new VmSpec(kernel, null, 1, 64);
        Assert.That((spec.BlockDevices, spec.Rng, spec.Vsock, spec.HasVirtioDevices), Is.EqualTo((Array.Empty<BlockDeviceSpec>(), false, (VsockDeviceSpec?)null, false)));
    }

    [Test]
    public void TheVmOwnsEveryImageOfTheSpecDisksIncludedInDeclaredOrder()
    {
        using var kernel = Kernel();
        using var first = Kernel();
        using var second = Kernel();
        var spec = new VmSpec(kernel, null, 1, 64)
        {
            BlockDevices = [new BlockDeviceSpec(first, ReadOnly: true, "a"), new BlockDeviceSpec(second, ReadOnly: true, "b")],
        };
        Assert.That(spec.Images, Is.EqualTo(new[] { kernel, first, second }));
        Assert.That(spec.HasVirtioDevices, Is.True);
    }

    [Test]
    public void ABuildThatFailsReleasesTheSpecsImages()
    {
        var spec = new VmSpec(Kernel(), null, 1, 64);
        // The console log opens first, so this fails the same with or without /dev/kvm.
        Assert.Catch(() => new VmBuilder(spec).WithConsoleLog("/nonexistent/dir/console.log").Build());
        Assert.That(spec.Kernel.Handle.IsClosed, Is.True);
    }

    [Test]
    public void AMissingKernelIsAConfigErrorNotACrash() =>
        Assert.Throws<VmConfigException>(() => ImageFile.Open("/nonexistent/vmlinuz", writable: false));

    private static ImageFile Kernel() => ImageFile.Open(RepoPaths.Vmlinuz, writable: false);
}
