using System.Text;

namespace Concierge.Guest;

/// <summary>
/// The init's log: one line per event, "concierge-init: ..." like maitred's "maitred: "
/// prefix. As PID 1 it writes to /dev/kmsg (so lines land in the kernel log and on the
/// serial console next to the kernel's own), otherwise to standard error.
/// </summary>
internal static class Log
{
    private const string Prefix = "concierge-init: ";
    private static readonly Lock Gate = new();
    private static Stream? s_kmsg;

    /// <summary>
    /// Standard error as a plain file stream, not System.Console: Console initializes lazily,
    /// which loads assemblies and starts a thread — impossible in the container launcher
    /// once it is in a new PID namespace or after pivot_root.
    /// </summary>
    private static readonly FileStream Stderr = new(new Microsoft.Win32.SafeHandles.SafeFileHandle(2, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    /// <summary>Sends further lines to /dev/kmsg; stays on standard error if it cannot be opened.</summary>
    public static void UseKernelLog()
    {
        try
        {
            s_kmsg = new FileStream("/dev/kmsg", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        }
        catch (IOException e)
        {
            Error($"cannot open /dev/kmsg, logging to stderr: {e.Message}");
        }
    }

    /// <summary>Loads everything a log line needs, before a step after which nothing can be loaded.</summary>
    public static void Prepare()
    {
        Stderr.Write([]);
        _ = Encoding.UTF8.GetBytes(new Native.NativeCallException(Prefix, Native.Errno.EPERM).Message);
    }

    public static void Info(string message) => Write(6, message);

    public static void Warn(string message) => Write(4, message);

    public static void Error(string message) => Write(3, message);

    private static void Write(int level, string message)
    {
        lock (Gate)
        {
            if (s_kmsg is { } kmsg)
            {
                try
                {
                    // One write per record: /dev/kmsg turns each write into one log line.
                    kmsg.Write(Encoding.UTF8.GetBytes($"<{level}>{Prefix}{message}\n"));
                    return;
                }
                catch (IOException)
                {
                    s_kmsg = null;
                }
            }
            try
            {
                Stderr.Write(Encoding.UTF8.GetBytes(Prefix + message + "\n"));
            }
            catch (IOException)
            {
                // Nowhere left to log to.
            }
        }
    }
}
