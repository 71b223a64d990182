using System.Runtime.InteropServices;
using System.Text;

namespace Concierge.Guest.Native;

/// <summary>
/// posix_spawnp with the settings every child of ours needs: default signal dispositions
/// and an empty signal mask (.NET ignores SIGPIPE, and an ignored signal survives exec),
/// optionally a new session, optionally stdin/stdout/stderr redirected. It creates no
/// thread and runs no managed code in the child, so it is safe where .NET cannot fork and
/// also in a process that may no longer create threads (after unshare(CLONE_NEWPID)).
/// </summary>
internal static class PosixSpawn
{
    /// <summary>Starts the child and returns its pid.</summary>
    /// <param name="argv">The program (looked up in PATH when it has no slash) and its arguments.</param>
    /// <param name="environment">The child's whole environment, "NAME=value".</param>
    /// <param name="newSession">Start a new session (and process group) led by the child.</param>
    /// <param name="redirect">File descriptors for the child's 0, 1 and 2, or null to inherit ours.</param>
    /// <exception cref="NativeCallException">The program could not be started.</exception>
    public static unsafe int Start(IReadOnlyList<string> argv, IReadOnlyList<string> environment, bool newSession, (int Stdin, int Stdout, int Stderr)? redirect)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(environment);
        if (argv.Count == 0)
        {
            throw new ArgumentException("argv is empty", nameof(argv));
        }
        using var nativeArgv = new NativeStringArray(argv);
        using var nativeEnvironment = new NativeStringArray(environment);
        var path = Encoding.UTF8.GetBytes(argv[0] + "\0");
        var fileActions = NativeMemory.AllocZeroed(Libc.SpawnStructBytes);
        var attributes = NativeMemory.AllocZeroed(Libc.SpawnStructBytes);
        var signals = NativeMemory.AllocZeroed(Libc.SigsetBytes);
        try
        {
            // SAFETY: the three blocks above are larger than glibc's structs; every pointer
            // passed below stays alive (pinned or native) until posix_spawnp returns.
            Check(Libc.PosixSpawnFileActionsInit(fileActions), "init spawn file actions");
            Check(Libc.PosixSpawnAttrInit(attributes), "init spawn attributes");
            var flags = Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK | (newSession ? Libc.POSIX_SPAWN_SETSID : 0);
            Check(Libc.PosixSpawnAttrSetFlags(attributes, (short)flags), "set spawn flags");
            // sigfillset/sigemptyset only fail for a NULL set.
            _ = Libc.Sigfillset(signals);
            Check(Libc.PosixSpawnAttrSetSigDefault(attributes, signals), "set default signal dispositions");
            _ = Libc.Sigemptyset(signals);
            Check(Libc.PosixSpawnAttrSetSigMask(attributes, signals), "set the signal mask");
            if (redirect is var (stdin, stdout, stderr))
            {
                Check(Libc.PosixSpawnFileActionsAddDup2(fileActions, stdin, 0), "redirect stdin");
                Check(Libc.PosixSpawnFileActionsAddDup2(fileActions, stdout, 1), "redirect stdout");
                Check(Libc.PosixSpawnFileActionsAddDup2(fileActions, stderr, 2), "redirect stderr");
            }
            fixed (byte* pathPointer = path)
            {
                Check(Libc.PosixSpawnp(out var pid, pathPointer, fileActions, attributes, nativeArgv.Pointer, nativeEnvironment.Pointer), $"start {argv[0]}");
                return pid;
            }
        }
        finally
        {
            _ = Libc.PosixSpawnFileActionsDestroy(fileActions);
            _ = Libc.PosixSpawnAttrDestroy(attributes);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
        }
    }

    /// <summary>Our own environment as "NAME=value" strings.</summary>
    public static string[] CurrentEnvironment() =>
        [.. Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}")];

    /// <summary>posix_spawn's helpers return an errno rather than setting it.</summary>
    private static void Check(int error, string step)
    {
        if (error != 0)
        {
            throw new NativeCallException(step, error);
        }
    }
}
