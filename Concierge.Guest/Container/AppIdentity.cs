using System.Text;
using Concierge.Guest.Config;
using Concierge.Guest.Native;

namespace Concierge.Guest.Container;

/// <summary>
/// The last steps before the app runs, shared by a new container's PID 1 and a command
/// joining a running container: resource limits, capabilities, uid/gid, then execve.
/// Everything here runs on the main thread, right before execve from that same thread:
/// capabilities, the bounding set and no_new_privs are per thread in Linux, and execve
/// keeps only the calling thread's. It runs after pivot_root, where a development (JIT)
/// build could no longer load an assembly: so no LINQ or collections beyond CoreLib here.
/// </summary>
internal static class AppIdentity
{
    /// <summary>Applies the identity of <paramref name="config"/> and replaces this process with <paramref name="argv"/>; returns only by throwing.</summary>
    public static void BecomeApp(ContainerConfig config, IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(config);
        ResourceLimits.Apply(config.Rlimits);
        var kept = 0UL;
        foreach (var name in config.Capabilities)
        {
            kept |= 1UL << CapabilityNames.Parse(name);
        }
        DropBoundingSet(kept);
        NativeCallException.ThrowIfFailed(Libc.Prctl(Libc.PR_CAP_AMBIENT, Libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient capabilities");
        NativeCallException.ThrowIfFailed(Libc.Setgroups(0, []), "clear supplementary groups");
        NativeCallException.ThrowIfFailed(Libc.Setresgid(config.Gid, config.Gid, config.Gid), $"set gid {config.Gid}");
        NativeCallException.ThrowIfFailed(Libc.Setresuid(config.Uid, config.Uid, config.Uid), $"set uid {config.Uid}");
        SetCapabilities(config.Uid == 0 ? kept : 0);
        NativeCallException.ThrowIfFailed(Libc.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no_new_privs");
        // After the uid change (which clears it): if the launcher dies, the app dies with it.
        NativeCallException.ThrowIfFailed(Libc.Prctl(Libc.PR_SET_PDEATHSIG, Libc.SIGKILL, 0, 0, 0), "set parent-death signal");
        NativeCallException.ThrowIfFailed(Libc.Chdir(config.WorkingDirectory), $"change to working directory {config.WorkingDirectory}");
        Exec(ResolveInPath(argv[0], config.Env), argv, config.Env);
    }

    private static void DropBoundingSet(ulong kept)
    {
        var last = int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        for (var capability = 0; capability <= last; capability++)
        {
            if ((kept & (1UL << capability)) == 0)
            {
                NativeCallException.ThrowIfFailed(Libc.Prctl(Libc.PR_CAPBSET_DROP, (nuint)capability, 0, 0, 0), $"drop capability {capability} from the bounding set");
            }
        }
    }

    private static void SetCapabilities(ulong kept)
    {
        Span<Libc.CapUserData> data = stackalloc Libc.CapUserData[2];
        for (var word = 0; word < 2; word++)
        {
            var bits = (uint)(kept >> (32 * word));
            data[word] = new Libc.CapUserData { Effective = bits, Permitted = bits, Inheritable = bits };
        }
        var header = new Libc.CapUserHeader { Version = Libc.LINUX_CAPABILITY_VERSION_3, Pid = 0 };
        NativeCallException.ThrowIfFailed(Libc.Capset(header, data), "set capabilities");
    }

    /// <summary>Finds a program the way execvp would, but with the app's PATH rather than ours.</summary>
    private static string ResolveInPath(string program, string[] environment)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return program;
        }
        var path = "/usr/bin:/bin";
        foreach (var variable in environment)
        {
            if (variable.StartsWith("PATH=", StringComparison.Ordinal))
            {
                path = variable[5..];
            }
        }
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new NativeCallException($"find {program} in PATH {path}", Errno.ENOENT);
    }

    private static unsafe void Exec(string path, IReadOnlyList<string> argv, IReadOnlyList<string> environment)
    {
        using var nativeArgv = new NativeStringArray(argv);
        using var nativeEnvironment = new NativeStringArray(environment);
        var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        // SAFETY: the path is pinned and both arrays are alive for the call; execve only
        // returns on failure, and then nothing it was given has been retained.
        fixed (byte* pathPointer = pathBytes)
        {
            Libc.Execve(pathPointer, nativeArgv.Pointer, nativeEnvironment.Pointer);
        }
        NativeCallException.ThrowIfFailed(-1, $"execute {path}");
    }
}
