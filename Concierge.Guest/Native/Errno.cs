namespace Concierge.Guest.Native;

/// <summary>The errno values the code branches on (asm-generic/errno-base.h).</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int EINVAL = 22;
    public const int ECHILD = 10;
}
