namespace Concierge.Vmm.Kvm.Interop;

/// <summary>
/// Computes Linux ioctl request numbers the way the _IO/_IOR/_IOW/_IOWR macros of
/// asm-generic/ioctl.h do: direction in bits 30-31, argument size in bits 16-29, type in 8-15,
/// number in 0-7. Tests compare the results against the C macros.
/// </summary>
internal static class IoctlNumber
{
    private const uint None = 0;
    private const uint Write = 1;
    private const uint Read = 2;

    /// <summary>_IO(type, nr): no argument (or an integer passed by value).</summary>
    public static nuint Io(uint type, uint nr) => Make(None, type, nr, 0);

    /// <summary>_IOR(type, nr, size): the kernel writes the argument.</summary>
    public static nuint IoR(uint type, uint nr, int size) => Make(Read, type, nr, size);

    /// <summary>_IOW(type, nr, size): the kernel reads the argument.</summary>
    public static nuint IoW(uint type, uint nr, int size) => Make(Write, type, nr, size);

    /// <summary>_IOWR(type, nr, size): the kernel reads and writes the argument.</summary>
    public static nuint IoWR(uint type, uint nr, int size) => Make(Read | Write, type, nr, size);

    private static nuint Make(uint direction, uint type, uint nr, int size)
    {
        if (size is < 0 or >= 1 << 14)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "ioctl argument sizes are 14 bits");
        }
        return (nuint)((direction << 30) | ((uint)size << 16) | (type << 8) | nr);
    }
}
