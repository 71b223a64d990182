using System.Runtime.InteropServices;

namespace Concierge.Vmm.Kvm;

/// <summary>A KVM (or supporting libc) call failed: names the call and the errno it returned.</summary>
public sealed class KvmException : Exception
{
    /// <summary>Creates the exception for <paramref name="ioctl"/> failing with <paramref name="errno"/>.</summary>
    public KvmException(string ioctl, int errno)
        : base($"{ioctl} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Ioctl = ioctl;
        Errno = errno;
    }

    /// <summary>Creates the exception for <paramref name="ioctl"/> with an explanation (no errno).</summary>
    public KvmException(string ioctl, string message) : base($"{ioctl}: {message}")
    {
        Ioctl = ioctl;
    }

    /// <summary>Creates the exception with a message.</summary>
    public KvmException(string message) : base(message)
    {
        Ioctl = "";
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public KvmException(string message, Exception innerException) : base(message, innerException)
    {
        Ioctl = "";
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public KvmException() : base("a KVM call failed")
    {
        Ioctl = "";
    }

    /// <summary>The call that failed (e.g. "KVM_CREATE_VM").</summary>
    public string Ioctl { get; }

    /// <summary>The errno it returned, or 0 when the failure was not an errno.</summary>
    public int Errno { get; }

    /// <summary>Throws for <paramref name="ioctl"/> with the calling thread's last errno when <paramref name="result"/> is negative; else returns it.</summary>
    internal static int ThrowIfFailed(int result, string ioctl)
    {
        if (result < 0)
        {
            Throw(ioctl, Marshal.GetLastPInvokeError());
        }
        return result;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void Throw(string ioctl, int errno) => throw new KvmException(ioctl, errno);
}
