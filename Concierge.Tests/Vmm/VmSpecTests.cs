using Concierge.Vmm;
using NUnit.Framework;

namespace Concierge.Tests.Vmm;

[TestFixture, Category("Unit")]
public sealed class VmSpecTests
{
    [Test]
    public void ValidSpecKeepsItsValues()
    {
        var spec = new VmSpec("/k", "/i", 2, 256, "console=ttyS0");
        Assert.That((spec.KernelPath, spec.InitrdPath, spec.Vcpus, spec.MemoryMiB, spec.CommandLine), Is.EqualTo(("/k", "/i", 2, 256, "console=ttyS0")));
        Assert.That(spec.MemoryBytes, Is.EqualTo(256UL << 20));
    }

    [TestCase("", 1, 256)]
    [TestCase("/k", 0, 256)]
    [TestCase("/k", VmSpec.MaxVcpus + 1, 256)]
    [TestCase("/k", 1, 8)]
    [TestCase("/k", 1, VmSpec.MaxMemoryMiB + 1)]
    public void ImpossibleValuesAreRefused(string kernel, int vcpus, int memoryMiB) =>
        Assert.Throws<VmConfigException>(() => _ = new VmSpec(kernel, null, vcpus, memoryMiB));

    [Test]
    public void BuildingWithAMissingKernelIsAConfigErrorNotACrash()
    {
        var spec = new VmSpec("/nonexistent/vmlinuz", null, 1, 64);
        // Without /dev/kvm (on the host) this fails earlier with KvmException; either way it is typed.
        var error = Assert.Catch(() => new VmBuilder(spec).Build());
        Assert.That(error, Is.InstanceOf<VmConfigException>().Or.InstanceOf<Concierge.Vmm.Kvm.KvmException>());
    }
}
