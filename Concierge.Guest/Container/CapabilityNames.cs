using Concierge.Guest.Config;

namespace Concierge.Guest.Container;

/// <summary>Capability names of linux/capability.h, indexed by number.</summary>
internal static class CapabilityNames
{
    private static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>The number of a capability name (case-insensitive, "CAP_" optional).</summary>
    public static int Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var full = name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? name : "CAP_" + name;
        var index = Array.FindIndex(Names, n => n.Equals(full, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : throw new ConfigException($"unknown capability '{name}'");
    }
}
