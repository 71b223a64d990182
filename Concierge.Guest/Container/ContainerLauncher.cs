using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Concierge.Guest.Config;
using Concierge.Guest.Native;
using Concierge.Guest.Supervision;

namespace Concierge.Guest.Container;

/// <summary>
/// Stage 1 of the container launcher, run as its own process (the init spawns
/// "concierge-init container-run ..." or "container-exec ..."; a test does the same), so
/// no long-lived process ever changes its own namespaces.
///
/// Why two stages: a new PID namespace applies only to children created after unshare,
/// and .NET cannot fork without exec. So stage 1 unshares the PID namespace and then starts
/// stage 2 — this same program — which is PID 1 of the new PID namespace
/// (<see cref="ContainerInit"/>: its own mount, UTS, IPC and network namespaces, mounts,
/// pivot_root, hostname, loopback, identity, then execve of the app, which so becomes
/// PID 1). Stage 2 creates the other namespaces itself so that stage 1 keeps the init's
/// view of the file system (a pivot_root in a shared mount namespace would move stage 1's
/// root too). Exec into a running container works alike:
/// stage 1 joins the container's PID namespace (again only for children) and stage 2
/// (<see cref="ContainerJoin"/>) joins the rest. unshare and setns of a PID namespace are
/// allowed in a threaded process; mount namespace changes are per thread, which is why
/// stage 1 does everything on one thread and stage 2 is a fresh process.
///
/// After unshare/setns of a PID namespace the kernel refuses to create threads in the
/// calling process (EINVAL: a thread must live in its process's PID namespace), so stage 1
/// does nothing after it that could need a new .NET thread: no Process class, no signal
/// registrations, no async. It spawns with <see cref="PosixSpawn"/>, blocks in waitpid on
/// its main thread, and ignores the termination signals instead of forwarding them: those
/// reach the app anyway (PID 1 signals everything; the supervisor signals the process group,
/// which the app shares with stage 1), and a SIGKILL of stage 1 kills the app through the
/// parent-death signal stage 2 sets. Stage 1 exits with the app's status (128+signal when
/// the app was killed).
/// </summary>
internal static class ContainerLauncher
{
    /// <summary>Exit status when a setup step failed (the step is on stderr).</summary>
    public const int SetupFailedExitCode = 125;

    /// <summary>SIGHUP, SIGINT, SIGQUIT, SIGTERM.</summary>
    private static readonly int[] IgnoredSignals = [1, 2, 3, Libc.SIGTERM];

    /// <summary>"container-run": a new container running <paramref name="argv"/>.</summary>
    public static int Run(string specPath, string? pidFile, IReadOnlyList<string> argv)
    {
        var config = LoadSpec(specPath);
        if (!Directory.Exists(config.RootFs))
        {
            throw new ConfigException($"container root {config.RootFs} does not exist");
        }
        NativeCallException.ThrowIfFailed(Libc.Unshare(Libc.CLONE_NEWPID), "create the container's PID namespace");
        using var ready = ReadyPipe.Create();
        return RunStage2(["__container-init", "--spec", specPath, "--ready-fd", ready.WriteFd.ToString(CultureInfo.InvariantCulture), "--", .. argv], ready, pidFile);
    }

    /// <summary>"container-exec": <paramref name="argv"/> inside the running container whose PID 1 is <paramref name="containerPid"/>.</summary>
    public static int Exec(string specPath, int containerPid, IReadOnlyList<string> environment, IReadOnlyList<string> argv)
    {
        _ = LoadSpec(specPath);
        using (var pidNamespace = NativeFile.Open($"/proc/{containerPid}/ns/pid", 0))
        {
            NativeCallException.ThrowIfFailed(Libc.Setns(pidNamespace, Libc.CLONE_NEWPID), "join the container's pid namespace");
        }
        var envArguments = environment.SelectMany(e => new[] { "--env", e });
        return RunStage2(["__container-join", "--spec", specPath, "--target", containerPid.ToString(CultureInfo.InvariantCulture), .. envArguments, "--", .. argv], null, null);
    }

    /// <summary>Reads a container spec (a <see cref="ContainerConfig"/> as JSON).</summary>
    public static ContainerConfig LoadSpec(string path)
    {
        try
        {
            var config = JsonSerializer.Deserialize(File.ReadAllText(path), ConfigJsonContext.Default.ContainerConfig)
                ?? throw new ConfigException($"container spec {path} is empty");
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ConfigException($"cannot read container spec {path}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Starts stage 2 and waits for it. With a <paramref name="ready"/> pipe, the pid file is
    /// written only once stage 2 has become the app: a host Exec that joins the container
    /// earlier would join namespaces stage 2 has not made yet (the VM's own, root included).
    /// </summary>
    private static int RunStage2(IEnumerable<string> arguments, ReadyPipe? ready, string? pidFile)
    {
        var argv = SelfCommand.Argv(arguments);
        var environment = PosixSpawn.CurrentEnvironment();
        foreach (var signal in IgnoredSignals)
        {
            _ = Libc.Signal(signal, Libc.SIG_IGN);
        }
        var pid = PosixSpawn.Start(argv, environment, newSession: false, redirect: null);
        ready?.WaitForEnd();
        if (pidFile is not null)
        {
            File.WriteAllText(pidFile, pid.ToString(CultureInfo.InvariantCulture));
        }
        try
        {
            return WaitForExit(pid);
        }
        finally
        {
            if (pidFile is not null)
            {
                File.Delete(pidFile);
            }
        }
    }

    /// <summary>Blocks in waitpid (retrying on EINTR) and turns the status into an exit code.</summary>
    private static int WaitForExit(int pid)
    {
        int result, status;
        do
        {
            result = Libc.Waitpid(pid, out status, 0);
        }
        while (result == -1 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        NativeCallException.ThrowIfFailed(result, "wait for the container");
        var exit = ExitStatus.FromWaitStatus(status);
        return exit.Status == GuestLink.Protocol.ProcessStatus.Exited ? exit.Code : 128 + exit.Code;
    }
}
