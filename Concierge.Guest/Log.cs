using System.Text;

namespace Concierge.Guest;

/// <summary>
/// The init's log: one line per event, "concierge-init: ..." like maitred's "maitred: "
/// prefix, always on standard error (as PID 1 that is /dev/console, the serial console the
/// host keeps as the VM's console log). As PID 1 each line also goes to /dev/kmsg so the
/// guest's own dmesg has it: the kernel prints kmsg lines on the console only above the
/// console log level, and "quiet" (which keeps boots fast) hides info and warnings.
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

    /// <summary>Copies further lines to /dev/kmsg; logs on standard error only if it cannot be opened.</summary>
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
