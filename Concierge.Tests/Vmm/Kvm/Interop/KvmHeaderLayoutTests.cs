using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Concierge.Vmm.Kvm.Interop;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Kvm.Interop;

/// <summary>
/// Pins every KVM struct layout and ioctl number we use to /usr/include/linux/kvm.h: a small C
/// program prints sizeof/offsetof/the ioctl macros, and each value must equal ours.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class KvmHeaderLayoutTests
{
    private static readonly (string C, ulong Ours)[] Facts =
    [
        Size<KvmUserspaceMemoryRegion>("struct kvm_userspace_memory_region"),
        Offset<KvmUserspaceMemoryRegion>("struct kvm_userspace_memory_region", "slot", nameof(KvmUserspaceMemoryRegion.Slot)),
        Offset<KvmUserspaceMemoryRegion>("struct kvm_userspace_memory_region", "flags", nameof(KvmUserspaceMemoryRegion.Flags)),
        Offset<KvmUserspaceMemoryRegion>("struct kvm_userspace_memory_region", "guest_phys_addr", nameof(KvmUserspaceMemoryRegion.GuestPhysAddr)),
        Offset<KvmUserspaceMemoryRegion>("struct kvm_userspace_memory_region", "memory_size", nameof(KvmUserspaceMemoryRegion.MemorySize)),
        Offset<KvmUserspaceMemoryRegion>("struct kvm_userspace_memory_region", "userspace_addr", nameof(KvmUserspaceMemoryRegion.UserspaceAddr)),

        Size<KvmIrqLevel>("struct kvm_irq_level"),
        Offset<KvmIrqLevel>("struct kvm_irq_level", "irq", nameof(KvmIrqLevel.Irq)),
        Offset<KvmIrqLevel>("struct kvm_irq_level", "level", nameof(KvmIrqLevel.Level)),

        Size<KvmPitConfig>("struct kvm_pit_config"),
        Offset<KvmPitConfig>("struct kvm_pit_config", "flags", nameof(KvmPitConfig.Flags)),
        ("KVM_PIT_SPEAKER_DUMMY", KvmPitConfig.SpeakerDummy),

        Size<KvmMsi>("struct kvm_msi"),
        Offset<KvmMsi>("struct kvm_msi", "address_lo", nameof(KvmMsi.AddressLo)),
        Offset<KvmMsi>("struct kvm_msi", "address_hi", nameof(KvmMsi.AddressHi)),
        Offset<KvmMsi>("struct kvm_msi", "data", nameof(KvmMsi.Data)),
        Offset<KvmMsi>("struct kvm_msi", "flags", nameof(KvmMsi.Flags)),
        Offset<KvmMsi>("struct kvm_msi", "devid", nameof(KvmMsi.DevId)),


        Size<KvmIoeventfd>("struct kvm_ioeventfd"),
        Offset<KvmIoeventfd>("struct kvm_ioeventfd", "datamatch", nameof(KvmIoeventfd.DataMatch)),
        Offset<KvmIoeventfd>("struct kvm_ioeventfd", "addr", nameof(KvmIoeventfd.Addr)),
        Offset<KvmIoeventfd>("struct kvm_ioeventfd", "len", nameof(KvmIoeventfd.Len)),
        Offset<KvmIoeventfd>("struct kvm_ioeventfd", "fd", nameof(KvmIoeventfd.Fd)),
        Offset<KvmIoeventfd>("struct kvm_ioeventfd", "flags", nameof(KvmIoeventfd.Flags)),
        ("KVM_IOEVENTFD_FLAG_DATAMATCH", KvmIoeventfd.FlagDataMatch),
        ("KVM_IOEVENTFD_FLAG_PIO", KvmIoeventfd.FlagPio),
        ("KVM_IOEVENTFD_FLAG_DEASSIGN", KvmIoeventfd.FlagDeassign),

        Size<KvmRegs>("struct kvm_regs"),
        Offset<KvmRegs>("struct kvm_regs", "rax", nameof(KvmRegs.Rax)),
        Offset<KvmRegs>("struct kvm_regs", "rsi", nameof(KvmRegs.Rsi)),
        Offset<KvmRegs>("struct kvm_regs", "rsp", nameof(KvmRegs.Rsp)),
        Offset<KvmRegs>("struct kvm_regs", "rbp", nameof(KvmRegs.Rbp)),
        Offset<KvmRegs>("struct kvm_regs", "r15", nameof(KvmRegs.R15)),
        Offset<KvmRegs>("struct kvm_regs", "rip", nameof(KvmRegs.Rip)),
        Offset<KvmRegs>("struct kvm_regs", "rflags", nameof(KvmRegs.Rflags)),

        Size<KvmSegment>("struct kvm_segment"),
        Offset<KvmSegment>("struct kvm_segment", "base", nameof(KvmSegment.Base)),
        Offset<KvmSegment>("struct kvm_segment", "limit", nameof(KvmSegment.Limit)),
        Offset<KvmSegment>("struct kvm_segment", "selector", nameof(KvmSegment.Selector)),
        Offset<KvmSegment>("struct kvm_segment", "type", nameof(KvmSegment.Type)),
        Offset<KvmSegment>("struct kvm_segment", "present", nameof(KvmSegment.Present)),
        Offset<KvmSegment>("struct kvm_segment", "dpl", nameof(KvmSegment.Dpl)),
        Offset<KvmSegment>("struct kvm_segment", "db", nameof(KvmSegment.Db)),
        Offset<KvmSegment>("struct kvm_segment", "s", nameof(KvmSegment.S)),
        Offset<KvmSegment>("struct kvm_segment", "l", nameof(KvmSegment.L)),
        Offset<KvmSegment>("struct kvm_segment", "g", nameof(KvmSegment.G)),
        Offset<KvmSegment>("struct kvm_segment", "avl", nameof(KvmSegment.Avl)),
        Offset<KvmSegment>("struct kvm_segment", "unusable", nameof(KvmSegment.Unusable)),

        Size<KvmDtable>("struct kvm_dtable"),
        Offset<KvmDtable>("struct kvm_dtable", "base", nameof(KvmDtable.Base)),
        Offset<KvmDtable>("struct kvm_dtable", "limit", nameof(KvmDtable.Limit)),

        Size<KvmSregs>("struct kvm_sregs"),
        Offset<KvmSregs>("struct kvm_sregs", "cs", nameof(KvmSregs.Cs)),
        Offset<KvmSregs>("struct kvm_sregs", "ss", nameof(KvmSregs.Ss)),
        Offset<KvmSregs>("struct kvm_sregs", "tr", nameof(KvmSregs.Tr)),
        Offset<KvmSregs>("struct kvm_sregs", "ldt", nameof(KvmSregs.Ldt)),
        Offset<KvmSregs>("struct kvm_sregs", "gdt", nameof(KvmSregs.Gdt)),
        Offset<KvmSregs>("struct kvm_sregs", "idt", nameof(KvmSregs.Idt)),
        Offset<KvmSregs>("struct kvm_sregs", "cr0", nameof(KvmSregs.Cr0)),
        Offset<KvmSregs>("struct kvm_sregs", "cr3", nameof(KvmSregs.Cr3)),
        Offset<KvmSregs>("struct kvm_sregs", "cr4", nameof(KvmSregs.Cr4)),
        Offset<KvmSregs>("struct kvm_sregs", "efer", nameof(KvmSregs.Efer)),
        Offset<KvmSregs>("struct kvm_sregs", "apic_base", nameof(KvmSregs.ApicBase)),
        Offset<KvmSregs>("struct kvm_sregs", "interrupt_bitmap", nameof(KvmSregs.Interrupts)),

        Size<KvmFpu>("struct kvm_fpu"),
        Offset<KvmFpu>("struct kvm_fpu", "fcw", nameof(KvmFpu.Fcw)),
        Offset<KvmFpu>("struct kvm_fpu", "ftwx", nameof(KvmFpu.Ftwx)),
        Offset<KvmFpu>("struct kvm_fpu", "last_ip", nameof(KvmFpu.LastIp)),
        Offset<KvmFpu>("struct kvm_fpu", "xmm", nameof(KvmFpu.Xmm)),
        Offset<KvmFpu>("struct kvm_fpu", "mxcsr", nameof(KvmFpu.Mxcsr)),

        Size<KvmLapicState>("struct kvm_lapic_state"),
        Size<KvmCpuid2Header>("struct kvm_cpuid2"),
        Offset<KvmCpuid2Header>("struct kvm_cpuid2", "nent", nameof(KvmCpuid2Header.Nent)),
        Size<KvmCpuidEntry2>("struct kvm_cpuid_entry2"),
        Offset<KvmCpuidEntry2>("struct kvm_cpuid_entry2", "function", nameof(KvmCpuidEntry2.Function)),
        Offset<KvmCpuidEntry2>("struct kvm_cpuid_entry2", "index", nameof(KvmCpuidEntry2.Index)),
        Offset<KvmCpuidEntry2>("struct kvm_cpuid_entry2", "flags", nameof(KvmCpuidEntry2.Flags)),
        Offset<KvmCpuidEntry2>("struct kvm_cpuid_entry2", "eax", nameof(KvmCpuidEntry2.Eax)),
        Offset<KvmCpuidEntry2>("struct kvm_cpuid_entry2", "edx", nameof(KvmCpuidEntry2.Edx)),
        ("KVM_CPUID_FLAG_SIGNIFCANT_INDEX", KvmCpuidEntry2.FlagSignificantIndex),
        Size<KvmMsrsHeader>("struct kvm_msrs"),
        Size<KvmMsrEntry>("struct kvm_msr_entry"),
        Offset<KvmMsrEntry>("struct kvm_msr_entry", "index", nameof(KvmMsrEntry.Index)),
        Offset<KvmMsrEntry>("struct kvm_msr_entry", "data", nameof(KvmMsrEntry.Data)),
        ("sizeof(struct kvm_signal_mask)", sizeof(uint)),

        ("offsetof(struct kvm_run, immediate_exit)", KvmRunLayout.ImmediateExit),
        ("offsetof(struct kvm_run, exit_reason)", KvmRunLayout.ExitReason),
        ("offsetof(struct kvm_run, hw.hardware_exit_reason)", KvmRunLayout.HardwareReason),
        ("offsetof(struct kvm_run, fail_entry.hardware_entry_failure_reason)", KvmRunLayout.HardwareReason),
        ("offsetof(struct kvm_run, io.direction)", KvmRunLayout.IoDirection),
        ("offsetof(struct kvm_run, io.size)", KvmRunLayout.IoSize),
        ("offsetof(struct kvm_run, io.port)", KvmRunLayout.IoPort),
        ("offsetof(struct kvm_run, io.count)", KvmRunLayout.IoCount),
        ("offsetof(struct kvm_run, io.data_offset)", KvmRunLayout.IoDataOffset),
        ("offsetof(struct kvm_run, mmio.phys_addr)", KvmRunLayout.MmioPhysAddr),
        ("offsetof(struct kvm_run, mmio.data)", KvmRunLayout.MmioData),
        ("offsetof(struct kvm_run, mmio.len)", KvmRunLayout.MmioLen),
        ("offsetof(struct kvm_run, mmio.is_write)", KvmRunLayout.MmioIsWrite),
        ("offsetof(struct kvm_run, internal.suberror)", KvmRunLayout.InternalSuberror),
        ("offsetof(struct kvm_run, system_event.type)", KvmRunLayout.SystemEventType),
        ("KVM_EXIT_IO_IN", KvmRunLayout.IoIn),
        ("KVM_EXIT_IO_OUT", KvmRunLayout.IoOut),

        ("KVM_EXIT_UNKNOWN", (ulong)KvmExitReason.Unknown),
        ("KVM_EXIT_EXCEPTION", (ulong)KvmExitReason.Exception),
        ("KVM_EXIT_IO", (ulong)KvmExitReason.Io),
        ("KVM_EXIT_HYPERCALL", (ulong)KvmExitReason.Hypercall),
        ("KVM_EXIT_DEBUG", (ulong)KvmExitReason.Debug),
        ("KVM_EXIT_HLT", (ulong)KvmExitReason.Hlt),
        ("KVM_EXIT_MMIO", (ulong)KvmExitReason.Mmio),
        ("KVM_EXIT_IRQ_WINDOW_OPEN", (ulong)KvmExitReason.IrqWindowOpen),
        ("KVM_EXIT_SHUTDOWN", (ulong)KvmExitReason.Shutdown),
        ("KVM_EXIT_FAIL_ENTRY", (ulong)KvmExitReason.FailEntry),
        ("KVM_EXIT_INTR", (ulong)KvmExitReason.Intr),
        ("KVM_EXIT_INTERNAL_ERROR", (ulong)KvmExitReason.InternalError),
        ("KVM_EXIT_SYSTEM_EVENT", (ulong)KvmExitReason.SystemEvent),

        ("KVM_CAP_IRQCHIP", (ulong)KvmCapability.Irqchip),
        ("KVM_CAP_USER_MEMORY", (ulong)KvmCapability.UserMemory),
        ("KVM_CAP_SET_TSS_ADDR", (ulong)KvmCapability.SetTssAddr),
        ("KVM_CAP_EXT_CPUID", (ulong)KvmCapability.ExtCpuid),
        ("KVM_CAP_NR_VCPUS", (ulong)KvmCapability.NrVcpus),
        ("KVM_CAP_NR_MEMSLOTS", (ulong)KvmCapability.NrMemslots),
        ("KVM_CAP_IRQFD", (ulong)KvmCapability.Irqfd),
        ("KVM_CAP_PIT2", (ulong)KvmCapability.Pit2),
        ("KVM_CAP_IOEVENTFD", (ulong)KvmCapability.Ioeventfd),
        ("KVM_CAP_SET_IDENTITY_MAP_ADDR", (ulong)KvmCapability.SetIdentityMapAddr),
        ("KVM_CAP_MAX_VCPUS", (ulong)KvmCapability.MaxVcpus),
        ("KVM_CAP_TSC_DEADLINE_TIMER", (ulong)KvmCapability.TscDeadlineTimer),
        ("KVM_CAP_KVMCLOCK_CTRL", (ulong)KvmCapability.KvmclockCtrl),
        ("KVM_CAP_SIGNAL_MSI", (ulong)KvmCapability.SignalMsi),
        ("KVM_CAP_IMMEDIATE_EXIT", (ulong)KvmCapability.ImmediateExit),

        ("KVM_GET_API_VERSION", KvmIoctls.GetApiVersion),
        ("KVM_CREATE_VM", KvmIoctls.CreateVm),
        ("KVM_CHECK_EXTENSION", KvmIoctls.CheckExtension),
        ("KVM_GET_VCPU_MMAP_SIZE", KvmIoctls.GetVcpuMmapSize),
        ("KVM_GET_SUPPORTED_CPUID", KvmIoctls.GetSupportedCpuid),
        ("KVM_CREATE_VCPU", KvmIoctls.CreateVcpu),
        ("KVM_SET_USER_MEMORY_REGION", KvmIoctls.SetUserMemoryRegion),
        ("KVM_SET_TSS_ADDR", KvmIoctls.SetTssAddr),
        ("KVM_SET_IDENTITY_MAP_ADDR", KvmIoctls.SetIdentityMapAddr),
        ("KVM_CREATE_IRQCHIP", KvmIoctls.CreateIrqchip),
        ("KVM_IRQ_LINE", KvmIoctls.IrqLine),
        ("KVM_CREATE_PIT2", KvmIoctls.CreatePit2),
        ("KVM_IOEVENTFD", KvmIoctls.Ioeventfd),
        ("KVM_SIGNAL_MSI", KvmIoctls.SignalMsi),
        ("KVM_RUN", KvmIoctls.Run),
        ("KVM_GET_REGS", KvmIoctls.GetRegs),
        ("KVM_SET_REGS", KvmIoctls.SetRegs),
        ("KVM_GET_SREGS", KvmIoctls.GetSregs),
        ("KVM_SET_SREGS", KvmIoctls.SetSregs),
        ("KVM_SET_MSRS", KvmIoctls.SetMsrs),
        ("KVM_SET_SIGNAL_MASK", KvmIoctls.SetSignalMask),
        ("KVM_SET_FPU", KvmIoctls.SetFpu),
        ("KVM_GET_LAPIC", KvmIoctls.GetLapic),
        ("KVM_SET_LAPIC", KvmIoctls.SetLapic),
        ("KVM_SET_CPUID2", KvmIoctls.SetCpuid2),
        ("KVM_KVMCLOCK_CTRL", KvmIoctls.KvmclockCtrl),
    ];

    private static Dictionary<string, ulong>? s_fromHeader;

    [OneTimeSetUp]
    public void CompileProbe() => s_fromHeader = ReadFromHeader(Facts.Select(fact => fact.C).ToArray());

    [TestCaseSource(nameof(FactNames))]
    public void MatchesKvmHeader(string c)
    {
        var ours = Facts.Single(fact => fact.C == c).Ours;
        Assert.That(ours, Is.EqualTo(s_fromHeader![c]), c);
    }

    private static IEnumerable<string> FactNames() => Facts.Select(fact => fact.C);

    private static (string, ulong) Size<T>(string cType) where T : unmanaged =>
        ($"sizeof({cType})", (ulong)Unsafe.SizeOf<T>());

    private static (string, ulong) Offset<T>(string cType, string cField, string field) where T : unmanaged =>
        ($"offsetof({cType}, {cField})", (ulong)Marshal.OffsetOf<T>(field));

    /// <summary>Compiles and runs a C program that prints each expression as an unsigned 64-bit number.</summary>
    private static Dictionary<string, ulong> ReadFromHeader(string[] expressions)
    {
        var dir = Directory.CreateTempSubdirectory("kvm-layout-");
        try
        {
            var source = new StringBuilder("#include <stddef.h>\n#include <stdio.h>\n#include <linux/kvm.h>\nint main(void) {\n");
            foreach (var expression in expressions)
            {
                source.Append("  printf(\"%llu\\n\", (unsigned long long)(").Append(expression).Append("));\n");
            }
            source.Append("  return 0;\n}\n");
            var sourcePath = Path.Combine(dir.FullName, "probe.c");
            var binaryPath = Path.Combine(dir.FullName, "probe");
            File.WriteAllText(sourcePath, source.ToString());
            Run("gcc", ["-o", binaryPath, sourcePath]);
            var values = Run(binaryPath, []).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(values, Has.Length.EqualTo(expressions.Length));
            return expressions.Zip(values).ToDictionary(pair => pair.First, pair => ulong.Parse(pair.Second, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{program} failed: {errors}");
        return output.Result;
    }
}
