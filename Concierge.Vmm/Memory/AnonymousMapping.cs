using System.Runtime.InteropServices;

namespace Concierge.Vmm.Memory;

/// <summary>
/// A private anonymous mmap that backs one region of guest RAM. The kernel hands out zeroed pages
/// lazily, so a VM only costs the pages its guest touches. Unmapped when released.
/// </summary>
internal sealed partial class AnonymousMapping : SafeHandle
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const int MapNoReserve = 0x4000;
    private static readonly nint MapFailed = -1;

    private AnonymousMapping(nint address, ulong size) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(address);
        Size = size;
    }

    /// <summary>Length of the mapping in bytes.</summary>
    public ulong Size { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero || handle == MapFailed;

    /// <summary>Maps <paramref name="size"/> bytes of zeroed, lazily allocated memory.</summary>
    public static AnonymousMapping Create(ulong size)
    {
        var address = Mmap(IntPtr.Zero, (nuint)size, ProtRead | ProtWrite, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
        if (address == MapFailed)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new System.ComponentModel.Win32Exception(errno, $"mmap of {size >> 20} MiB of guest RAM failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return new AnonymousMapping(address, size);
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Munmap(handle, (nuint)Size) == 0;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);
}
