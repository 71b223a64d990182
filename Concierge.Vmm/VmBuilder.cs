using Concierge.Vmm.Boot;
using Concierge.Vmm.Boot.Acpi;
using Concierge.Vmm.Devices;
using Concierge.Vmm.Kvm;
using Concierge.Vmm.Kvm.Interop;
using Concierge.Vmm.Memory;

namespace Concierge.Vmm;

/// <summary>
/// Builds a <see cref="VirtualMachine"/> from a <see cref="VmSpec"/> as a recipe of small steps
/// (see <see cref="Build"/>): the built-in legacy devices, then the virtio devices the spec
/// declares (VmBuilder.Devices.cs), then firmware tables, kernel and vCPU state.
/// </summary>
/// <example><code>
/// await using var vm = new VmBuilder(spec).WithConsoleLog(path).Build();
/// vm.Console.LineReceived += Console.WriteLine;
/// vm.Start();
/// var exit = await vm.WaitForExitAsync();
/// </code></example>
public sealed partial class VmBuilder
{
    private readonly VmSpec _spec;
    private string? _consoleLogPath;

    /// <summary>Starts a build of <paramref name="spec"/>.</summary>
    public VmBuilder(VmSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
    }

    /// <summary>Also appends the console output to the file at <paramref name="path"/>.</summary>
    public VmBuilder WithConsoleLog(string path)
    {
        _consoleLogPath = path;
        return this;
    }

    /// <summary>Builds the VM, ready to <see cref="VirtualMachine.Start"/>. On failure everything created so far is released.</summary>
    /// <exception cref="VmConfigException">The spec's files or sizes do not make a bootable VM.</exception>
    /// <exception cref="KvmException">KVM is missing, lacks a capability, or refused a call.</exception>
    public VirtualMachine Build()
    {
        var parts = new VmParts(_spec, OpenConsole());
        try
        {
            OpenKvm(parts);
            CreateVm(parts);
            AllocateMemory(parts);
            CreateInterruptControllers(parts);
            CreateVcpus(parts);
            AttachSerial(parts);
            AttachI8042(parts);
            AttachAcpiPowerOff(parts);
            AttachVirtioDevices(parts);
            var rsdp = WriteFirmwareTables(parts);
            var kernel = LoadKernel(parts, rsdp);
            ConfigureVcpus(parts, kernel);
            parts.Ports.Freeze();
            parts.Mmio.Freeze();
            return new VirtualMachine(parts);
        }
        catch
        {
            parts.Dispose();
            throw;
        }
    }

    /// <summary>The console, or (its log cannot be opened) the spec's images released: they are the build's to release.</summary>
    private VmConsole OpenConsole()
    {
        try
        {
            return new VmConsole(_consoleLogPath);
        }
        catch
        {
            foreach (var image in _spec.Images)
            {
                image.Dispose();
            }
            throw;
        }
    }

    private static void OpenKvm(VmParts parts)
    {
        parts.Kvm = KvmSystem.Open();
        if (parts.Spec.Vcpus > parts.Kvm.MaxVcpus)
        {
            throw new VmConfigException($"{parts.Spec.Vcpus} vCPUs requested; this host's KVM allows {parts.Kvm.MaxVcpus}");
        }
    }

    private static void CreateVm(VmParts parts)
    {
        parts.Vm = parts.Kvm!.CreateVm();
        parts.Vm.SetTssAddress(BootLayout.TssAddress);
        parts.Vm.SetIdentityMapAddress(BootLayout.IdentityMapAddress);
    }

    private static void AllocateMemory(VmParts parts)
    {
        parts.Memory = GuestMemory.Create(parts.Spec.MemoryBytes);
        for (var slot = 0; slot < parts.Memory.Regions.Count; slot++)
        {
            var region = parts.Memory.Regions[slot];
            parts.Vm.SetUserMemoryRegion((uint)slot, region.GuestAddress, region.Size, region.HostAddress);
        }
    }

    /// <summary>In-kernel PIC, IOAPIC, LAPICs and PIT (with the speaker port, so 0x61 never exits to us).</summary>
    private static void CreateInterruptControllers(VmParts parts)
    {
        parts.Vm.CreateIrqchip();
        parts.Vm.CreatePit2(KvmPitConfig.SpeakerDummy);
    }

    private static void CreateVcpus(VmParts parts)
    {
        for (var id = 0; id < parts.Spec.Vcpus; id++)
        {
            parts.Vcpus.Add(parts.Vm.CreateVcpu(id));
        }
    }

    private static void AttachSerial(VmParts parts)
    {
        var serial = new Serial8250(parts.GetInterruptLine(Serial8250.Com1Irq), parts.Console.Output);
        parts.AddPortIoDevice(Serial8250.Com1Port, Serial8250.PortCount, serial);
        parts.Console.ConnectInput(serial.Receive);
    }

    /// <summary>The guest's reboot path (<c>reboot=k</c>: reset through the keyboard controller) ends the VM.</summary>
    private static void AttachI8042(VmParts parts)
    {
        var i8042 = new I8042Controller(() => parts.Latch.TrySet(new VmExit(VmExitReason.Reboot, "the guest reset the machine (i8042)")));
        parts.AddPortIoDevice(I8042Controller.DataPort, I8042Controller.PortCount, i8042);
    }

    /// <summary>
    /// Guest power-off ends the VM through ACPI: the FADT's PM1a control block and the DSDT's
    /// <c>\_S5</c> (without ACPI the stock kernel only halts on power-off).
    /// </summary>
    private static void AttachAcpiPowerOff(VmParts parts)
    {
        var pm = new AcpiPowerManagement(Dsdt.S5SleepType,
            () => parts.Latch.TrySet(new VmExit(VmExitReason.PowerOff, "the guest powered off (ACPI S5)")));
        parts.AddPortIoDevice(AcpiPowerManagement.EventBlockPort, AcpiPowerManagement.PortCount, pm);
    }

    /// <summary>MP table, ACPI tables, boot GDT and page tables; returns the RSDP address.</summary>
    private static ulong WriteFirmwareTables(VmParts parts)
    {
        MpTable.Write(parts.Memory, BootLayout.MpTableAddress, parts.Spec.Vcpus);
        BootCpuState.WriteTables(parts.Memory);
        return AcpiTables.Write(parts.Memory, BootLayout.AcpiTablesAddress, parts.Spec.Vcpus);
    }

    private static LoadedKernel LoadKernel(VmParts parts, ulong rsdp) =>
        KernelLoader.Load(parts.Memory, parts.Spec.Kernel, parts.Spec.Initrd, parts.Spec.CommandLine, rsdp);

    /// <summary>Per vCPU: CPUID first (MSRs depend on it), then MSRs, LAPIC LINTs, and the boot vCPU's entry state.</summary>
    private static void ConfigureVcpus(VmParts parts, LoadedKernel kernel)
    {
        var supported = parts.Kvm!.GetSupportedCpuid();
        var tscDeadline = parts.Kvm.CheckExtension(KvmCapability.TscDeadlineTimer) > 0;
        foreach (var vcpu in parts.Vcpus)
        {
            vcpu.SetCpuid(CpuidTemplate.ForVcpu(supported, vcpu.Id, parts.Spec.Vcpus, tscDeadline));
            BootMsrs.Apply(vcpu);
            LapicSetup.Apply(vcpu);
            if (vcpu.Id == 0)
            {
                BootCpuState.Apply(vcpu, kernel);
            }
        }
    }
}
