using System.Runtime.InteropServices;

namespace Concierge.Guest.Native;

/// <summary>
/// A system call failed. The message names the step that needed it (e.g. "mount proc on
/// /rootfs/proc"), the errno name and its text, so a failed container or boot step reads
/// as one clear line on the console.
/// </summary>
internal sealed class NativeCallException : Exception
{
    public NativeCallException(string step, int errno)
        : base($"{step}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Step = step;
        Errno = errno;
    }

    /// <summary>What we were doing.</summary>
    public string Step { get; }

    /// <summary>The errno the call returned.</summary>
    public int Errno { get; }

    /// <summary>Throws for a -1 result, using the errno saved by the marshaller.</summary>
    public static void ThrowIfFailed(int result, string step)
    {
        if (result == -1)
        {
            throw new NativeCallException(step, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Throws for a -1 result, using the errno saved by the marshaller.</summary>
    public static void ThrowIfFailed(long result, string step)
    {
        if (result == -1)
        {
            throw new NativeCallException(step, Marshal.GetLastPInvokeError());
        }
    }
}
