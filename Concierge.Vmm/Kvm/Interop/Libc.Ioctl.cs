using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>Typed overloads of ioctl(2), one per argument type KVM takes (no void* catch-all).</summary>
internal static partial class Libc
{
    /// <summary>An ioctl whose argument is an integer passed by value (or none).</summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, nuint argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref ulong argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmUserspaceMemoryRegion argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmIrqLevel argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmPitConfig argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmMsi argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmIoeventfd argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmRegs argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmSregs argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmFpu argument);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref KvmLapicState argument);

    /// <summary>
    /// An ioctl whose argument is a variable-length structure (a fixed head followed by entries:
    /// kvm_cpuid2, kvm_msrs, kvm_signal_mask) laid out by the caller in a byte buffer.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(FileDescriptorHandle fd, nuint request, ref byte buffer);
}
