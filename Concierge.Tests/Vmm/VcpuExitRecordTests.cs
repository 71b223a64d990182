using Concierge.Vmm;
using Concierge.Vmm.Kvm.Interop;
using NUnit.Framework;

namespace Concierge.Tests.Vmm;

/// <summary>The one-word record of a vCPU's last exit that the vCPU thread writes and a startup timeout reads.</summary>
[TestFixture, Category("Unit")]
public sealed class VcpuExitRecordTests
{
    [Test]
    public void NothingRecordedIsNoExitYet()
    {
        Assert.That(VcpuExitRecord.Describe(VcpuExitRecord.None), Is.Null);
        Assert.That(new VcpuActivity(0, 0, null).ToString(), Is.EqualTo("vcpu0 never left the guest"));
    }

    // KVM_EXIT_IO 2, MMIO 6, SHUTDOWN 8, INTR 10 (linux/kvm.h).
    [TestCase(2u, true, 0x3f8UL, "an I/O write to port 0x3f8")]
    [TestCase(2u, false, 0xcfcUL, "an I/O read from port 0xcfc")]
    [TestCase(6u, true, 0xfee00300UL, "an MMIO write to 0xfee00300")]
    [TestCase(6u, false, 0xf_ffff_ffff_f000UL, "an MMIO read from 0xffffffffff000")]
    [TestCase(10u, false, 0UL, "a kick from the host")]
    [TestCase(8u, false, 0UL, "KVM exit Shutdown")]
    public void AnExitReadsBackInWords(uint reason, bool isWrite, ulong where, string words) =>
        Assert.That(VcpuExitRecord.Describe(VcpuExitRecord.Pack((KvmExitReason)reason, isWrite, where)), Is.EqualTo(words));

    [Test]
    public void ActivityIsOneLine() =>
        Assert.That(new VcpuActivity(1, 42, "an I/O write to port 0x3f8").ToString(), Is.EqualTo("vcpu1: 42 exits, the last an I/O write to port 0x3f8"));
}
