using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm.Interop;

/// <summary>A file descriptor owned by the monitor, closed exactly once when released.</summary>
internal abstract class FileDescriptorHandle : SafeHandle
{
    protected FileDescriptorHandle(int fd) : base(new IntPtr(-1), ownsHandle: true) => SetHandle(new IntPtr(fd));

    /// <inheritdoc />
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The raw descriptor number (for ioctl arguments that carry an fd, e.g. irqfd).</summary>
    public int Fd => (int)handle.ToInt64();

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Close((int)handle.ToInt64()) == 0;
}
