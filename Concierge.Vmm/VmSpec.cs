using Concierge.Vmm.Images;

namespace Concierge.Vmm;

/// <summary>
/// What to run: an immutable, validated description of a VM, its devices included (the
/// <see cref="VmBuilder"/> attaches them; nobody composes devices by hand). Construction rejects
/// impossible values with <see cref="VmConfigException"/>; the images are open, checked
/// <see cref="ImageFile"/>s, and their contents are checked when the VM is built. The images
/// belong to the VM built from the spec: they are released with it, or when its build fails.
/// </summary>
/// <example><code>
/// var spec = new VmSpec(ImageFile.Open(kernel, writable: false), ImageFile.Open(initrd, writable: false), vcpus: 1, memoryMiB: 512)
/// {
///     BlockDevices = [new BlockDeviceSpec(ImageFile.Open(rootfs, writable: true), ReadOnly: false, "rootfs")],
///     Rng = true,
///     Vsock = new VsockDeviceSpec(GuestCid: 32),
/// };
/// await using var vm = new VmBuilder(spec).Build();
/// using var listener = vm.Vsock!.Listen(7777);
/// vm.Start();
/// </code></example>
public sealed record VmSpec
{
    /// <summary>
    /// A command line for the stock Debian kernel that boots quietly and fast on this monitor:
    /// serial console, keyboard-controller reboot, reboot on panic, only the one UART we emulate,
    /// and no early PCI scans (<c>pci=noearly</c>): on an AMD CPU the kernel's AGP/GART aperture
    /// checks and early quirks probe all 256 buses through port I/O, some 30,000 exits that cost
    /// seconds under nested virtualization. Normal PCI enumeration later is unaffected. <c>noacpi</c>
    /// makes the kernel scan PCI bus 0 through port 0xCF8 itself: our ACPI tables exist for
    /// power-off and the MADT and declare no PCI host bridge, so ACPI-driven scanning would find
    /// no PCI devices; MSI/MSI-X need no ACPI.
    /// </summary>
    public const string DefaultCommandLine = "console=ttyS0 quiet reboot=k panic=-1 8250.nr_uarts=1 pci=noearly,noacpi";

    /// <summary>Most vCPUs per VM (limited by the MP table's 1 KiB area; KVM may allow fewer).</summary>
    public const int MaxVcpus = 32;

    /// <summary>Least guest memory in MiB: the stock kernel decompresses above 16 MiB and needs room.</summary>
    public const int MinMemoryMiB = 64;

    /// <summary>Most guest memory in MiB (1 TiB).</summary>
    public const int MaxMemoryMiB = 1 << 20;

    /// <summary>Longest command line accepted here (the kernel's own limit is checked at load).</summary>
    public const int MaxCommandLineLength = 4096;

    /// <summary>Creates and validates a spec.</summary>
    /// <exception cref="VmConfigException">A value is out of range.</exception>
    public VmSpec(ImageFile kernel, ImageFile? initrd, int vcpus, int memoryMiB, string commandLine = DefaultCommandLine)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        CheckLimits((ulong)Math.Max(vcpus, 0), (ulong)Math.Max(memoryMiB, 0));
        ArgumentNullException.ThrowIfNull(commandLine);
        if (commandLine.Length > MaxCommandLineLength || commandLine.Contains('\0', StringComparison.Ordinal))
        {
            throw new VmConfigException($"the kernel command line must be at most {MaxCommandLineLength} characters without NULs");
        }
        Kernel = kernel;
        Initrd = initrd;
        Vcpus = vcpus;
        MemoryMiB = memoryMiB;
        CommandLine = commandLine;
    }

    /// <summary>The bzImage kernel.</summary>
    public ImageFile Kernel { get; }

    /// <summary>The initramfs (cpio, optionally compressed), or null.</summary>
    public ImageFile? Initrd { get; }

    /// <summary>Number of vCPUs.</summary>
    public int Vcpus { get; }

    /// <summary>Guest RAM in MiB.</summary>
    public int MemoryMiB { get; }

    /// <summary>The kernel command line.</summary>
    public string CommandLine { get; }

    /// <summary>
    /// The one set of size limits a VM must keep. The service checks a request against them when it
    /// arrives, so a caller hears of a VM that could never run in the same reply; the constructor
    /// checks again. Wide parameters, so no caller narrows a value (and wraps it) before the check.
    /// </summary>
    /// <exception cref="VmConfigException">A value is out of range; the message names it and the range.</exception>
    public static void CheckLimits(ulong vcpus, ulong memoryMiB)
    {
        if (vcpus is < 1 or > MaxVcpus)
        {
            throw new VmConfigException($"vCPU count {vcpus} is outside 1..{MaxVcpus}");
        }
        if (memoryMiB is < MinMemoryMiB or > MaxMemoryMiB)
        {
            throw new VmConfigException($"memory {memoryMiB} MiB is outside {MinMemoryMiB}..{MaxMemoryMiB} MiB");
        }
    }

    /// <summary>Guest RAM in bytes.</summary>
    public ulong MemoryBytes => (ulong)MemoryMiB << 20;

    /// <summary>The virtio-blk disks, in the order the guest names them: the first is <c>/dev/vda</c>.</summary>
    public IReadOnlyList<BlockDeviceSpec> BlockDevices { get; init; } = [];

    /// <summary>A virtio-rng entropy source for the guest.</summary>
    public bool Rng { get; init; }

    /// <summary>The virtio-vsock device, or null for none.</summary>
    public VsockDeviceSpec? Vsock { get; init; }

    /// <summary>True when any virtio device is declared (they need the PCI bus).</summary>
    internal bool HasVirtioDevices => BlockDevices.Count > 0 || Rng || Vsock is not null;

    /// <summary>Every image the spec holds, for whoever owns the built VM's resources.</summary>
    internal IEnumerable<ImageFile> Images =>
        new[] { Kernel, Initrd }.OfType<ImageFile>().Concat(BlockDevices.Select(disk => disk.Image));
}
