using Concierge.Tests.TestSupport;
using Concierge.Vmm.Kvm;
using Concierge.Vmm.Kvm.Interop;
using Concierge.Vmm.Memory;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Kvm;

/// <summary>The smallest real KVM guest: a few real-mode instructions that print "OK" on COM1 and halt.</summary>
[TestFixture, Category("Kvm"), HangGuard(15)]
public sealed class FirstKvmTests
{
    private const ulong CodeAddress = 0x1000;

    // mov dx, 0x3f8; mov al, 'O'; out dx, al; mov al, 'K'; out dx, al; hlt
    private static readonly byte[] Code = [0xBA, 0xF8, 0x03, 0xB0, (byte)'O', 0xEE, 0xB0, (byte)'K', 0xEE, 0xF4];

    [Test]
    public void RealModeGuestWritesOkToThePortAndHalts()
    {
        using var guest = new RealModeGuest(Code);
        var vcpu = guest.Vcpu;

        var written = new List<char>();
        for (var exits = 0; exits < 2; exits++)
        {
            Assert.That(vcpu.Run(), Is.EqualTo(KvmExitReason.Io));
            var io = vcpu.PortIo;
            Assert.That((io.IsWrite, io.Port, io.Size, io.Count), Is.EqualTo((true, (ushort)0x3F8, (byte)1, 1u)));
            written.Add((char)vcpu.PortIoData(io)[0]);
        }
        Assert.That(vcpu.Run(), Is.EqualTo(KvmExitReason.Hlt));
        Assert.That(new string([.. written]), Is.EqualTo("OK"));
        Assert.That(vcpu.GetRegs().Rip, Is.EqualTo(CodeAddress + (ulong)Code.Length), "RIP is past the HLT");
    }

    [Test]
    public void ATripleFaultIsReportedWithTheRegistersThatCausedItOrWhyTheyAreGone()
    {
        // An empty IDT: #UD cannot be delivered, nor the #GP and #DF that follow, so the CPU shuts down.
        using var guest = new RealModeGuest([0x0F, 0x0B], emptyIdt: true); // ud2
        var vcpu = guest.Vcpu;

        Assert.That(vcpu.Run(), Is.EqualTo(KvmExitReason.Shutdown));
        var report = VcpuStateReport.Describe(vcpu);
        // AMD's KVM resets a vCPU that shut down; Intel's keeps the state that faulted.
        Assert.That(report, HostCpu.IsAmd
            ? Is.EqualTo("registers not kept: KVM reset the vCPU as it shut down (AMD hosts do)")
            : Does.Contain($"rip=0x{CodeAddress:x} ").And.Contain("idt=0x0/0x0 "));
    }

    [Test]
    public void OpeningKvmChecksItsCapabilities()
    {
        using var kvm = KvmSystem.Open();
        Assert.That(kvm.CheckExtension(KvmCapability.ImmediateExit), Is.Positive);
        Assert.That(kvm.MaxVcpus, Is.GreaterThanOrEqualTo(2));
        Assert.That(kvm.GetSupportedCpuid(), Has.Some.Matches<KvmCpuidEntry2>(entry => entry.Function == 1));
    }

    /// <summary>One vCPU in real mode about to run <c>code</c> at <see cref="CodeAddress"/> in 64 KiB of RAM.</summary>
    private sealed class RealModeGuest : IDisposable
    {
        private readonly KvmSystem _kvm;
        private readonly KvmVm _vm;
        private readonly GuestMemory _memory;

        public RealModeGuest(byte[] code, bool emptyIdt = false)
        {
            _kvm = KvmSystem.Open();
            _vm = _kvm.CreateVm();
            _memory = GuestMemory.Create(0x10000);
            var region = _memory.Regions[0];
            _vm.SetUserMemoryRegion(0, region.GuestAddress, region.Size, region.HostAddress);
            _memory.Write(CodeAddress, code);

            Vcpu = _vm.CreateVcpu(0);
            var sregs = Vcpu.GetSregs();
            sregs.Cs.Base = 0;
            sregs.Cs.Selector = 0;
            if (emptyIdt)
            {
                sregs.Idt.Limit = 0;
            }
            Vcpu.SetSregs(sregs);
            Vcpu.SetRegs(new KvmRegs { Rip = CodeAddress, Rsp = 0x8000, Rflags = 0x2 });
        }

        public KvmVcpu Vcpu { get; }

        public void Dispose()
        {
            Vcpu.Dispose();
            _vm.Dispose();
            _memory.Dispose();
            _kvm.Dispose();
        }
    }
}
