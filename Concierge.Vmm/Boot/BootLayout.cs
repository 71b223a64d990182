namespace Concierge.Vmm.Boot;

/// <summary>
/// Where the monitor puts what the kernel finds at boot. Low addresses follow the common
/// Firecracker/crosvm layout (reference/vmm.md §3), so each is a known-good choice.
/// </summary>
internal static class BootLayout
{
    /// <summary>The GDT: null, null, 64-bit code (0x10 = __BOOT_CS), data (0x18 = __BOOT_DS), TSS (0x20).</summary>
    public const ulong GdtAddress = 0x500;

    /// <summary>A null IDT; the kernel loads its own before enabling interrupts.</summary>
    public const ulong IdtAddress = 0x528;

    /// <summary>struct boot_params ("zero page").</summary>
    public const ulong ZeroPageAddress = 0x7000;

    /// <summary>Initial RSP/RBP of the boot vCPU.</summary>
    public const ulong BootStackPointer = 0x8FF0;

    /// <summary>PML4; the PDPT follows at +0x1000 and four page directories at +0x2000..+0x5FFF.</summary>
    public const ulong PageTablesAddress = 0x9000;

    /// <summary>The kernel command line (NUL-terminated).</summary>
    public const ulong CommandLineAddress = 0x2_0000;

    /// <summary>Start of the reserved area below 1 MiB (MP table, ACPI tables, legacy BIOS range).</summary>
    public const ulong LowReservedStart = 0x9_FC00;

    /// <summary>The MP floating pointer and configuration table (the last KiB below 640 KiB).</summary>
    public const ulong MpTableAddress = LowReservedStart;

    /// <summary>ACPI tables, starting with the RSDP (in the range Linux scans for it).</summary>
    public const ulong AcpiTablesAddress = 0xE_0000;

    /// <summary>Size reserved for the ACPI tables.</summary>
    public const ulong AcpiTablesSize = 0x1_0000;

    /// <summary>Where the protected-mode kernel is loaded: the boot protocol's high-memory start.</summary>
    public const ulong KernelLoadAddress = 0x10_0000;

    /// <summary>KVM's TSS pages: three pages below 4 GiB, inside the MMIO hole and clear of the APICs.</summary>
    public const uint TssAddress = 0xFFFB_D000;

    /// <summary>KVM's identity-map page, just below the TSS.</summary>
    public const ulong IdentityMapAddress = 0xFFFB_C000;

    /// <summary>The IOAPIC's MMIO base (KVM's in-kernel IOAPIC).</summary>
    public const uint IoApicAddress = 0xFEC0_0000;

    /// <summary>The local APIC's MMIO base.</summary>
    public const uint LocalApicAddress = 0xFEE0_0000;
}
