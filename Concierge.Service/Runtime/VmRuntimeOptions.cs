namespace Concierge.Service.Runtime;

/// <summary>How the service builds real VMs (service-wide; per-VM settings live in the VM's definition).</summary>
public sealed record VmRuntimeOptions
{
    /// <summary>Where an installed service finds the built-in guest.</summary>
    public const string InstalledGuestDirectory = "/usr/share/concierge/guest";

    /// <summary>File name of the built-in guest kernel in <see cref="GuestDirectory"/>.</summary>
    public const string KernelFileName = "vmlinuz";

    /// <summary>File name of the built-in initramfs in <see cref="GuestDirectory"/>.</summary>
    public const string InitrdFileName = "initramfs.cpio.gz";

    /// <summary>The host port the guest init connects to (Chrome OS's startup listener port).</summary>
    public const uint DefaultLinkPort = 7777;

    /// <summary>
    /// The built-in guest guest/build.sh produces (kernel and initramfs), used when a definition
    /// names no kernel. Tests point this at <c>$CONCIERGE_CACHE/guest/current</c>.
    /// </summary>
    public string GuestDirectory { get; init; } = InstalledGuestDirectory;

    /// <summary>The vsock port the host link listens on.</summary>
    public uint LinkPort { get; init; } = DefaultLinkPort;

    /// <summary>How long an Exec may run when the caller gives no timeout (the guest kills it then).</summary>
    public TimeSpan DefaultExecTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra wait for a guest reply beyond a command's own timeout (link and scheduling).</summary>
    public TimeSpan ReplyGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes of stdout and of stderr an Exec keeps when the caller gives no limit.</summary>
    public int DefaultExecOutputLimitBytes { get; init; } = 64 * 1024;

    /// <summary>Largest frame accepted from a guest.</summary>
    public int MaxFrameBytes { get; init; } = 4 << 20;

    /// <summary>The built-in kernel's path.</summary>
    public string DefaultKernelPath => Path.Combine(GuestDirectory, KernelFileName);

    /// <summary>The built-in initramfs's path.</summary>
    public string DefaultInitrdPath => Path.Combine(GuestDirectory, InitrdFileName);
}
