using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm;

/// <summary>
/// A vCPU's last exit packed into one word, so its thread records it with a single write on the
/// exit path and another thread reads it whole: bits 0-7 the KVM exit reason + 1 (0: none yet),
/// bit 8 whether it was a write, bits 9-63 the port or guest-physical address.
/// </summary>
internal static class VcpuExitRecord
{
    public const long None = 0;

    public static long Pack(KvmExitReason reason, bool isWrite, ulong where) =>
        (long)((where << 9) | (isWrite ? 1UL << 8 : 0) | (((ulong)reason + 1) & 0xFF));

    /// <summary>The exit in words, or null for <see cref="None"/>.</summary>
    public static string? Describe(long record)
    {
        var bits = (ulong)record;
        if ((bits & 0xFF) == 0)
        {
            return null;
        }
        var reason = (KvmExitReason)((bits & 0xFF) - 1);
        var direction = (bits & (1UL << 8)) != 0 ? "write to" : "read from";
        var where = bits >> 9;
        return reason switch
        {
            KvmExitReason.Io => $"an I/O {direction} port 0x{where:x}",
            KvmExitReason.Mmio => $"an MMIO {direction} 0x{where:x}",
            KvmExitReason.Intr => "a kick from the host",
            _ => $"KVM exit {reason}",
        };
    }
}
