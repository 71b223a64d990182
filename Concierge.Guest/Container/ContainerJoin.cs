using Concierge.Guest.Config;
using Concierge.Guest.Native;

namespace Concierge.Guest.Container;

/// <summary>
/// Stage 2 of running a command in a running container (the host's Exec, like nsenter):
/// the launcher already joined the container's PID namespace, so this process is a member
/// of it; here it joins the other namespaces and the container's root, then becomes the
/// command with the container's identity.
/// </summary>
internal static class ContainerJoin
{
    private static readonly (string Name, int Type)[] Namespaces =
    [
        ("ipc", Libc.CLONE_NEWIPC), ("uts", Libc.CLONE_NEWUTS), ("net", Libc.CLONE_NEWNET), ("mnt", Libc.CLONE_NEWNS),
    ];

    public static void Run(ContainerConfig config, int containerPid, IReadOnlyList<string> extraEnvironment, IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(config);
        // Open everything first: after joining the mount namespace, /proc/<pid> is the
        // container's /proc, where that pid means something else.
        var handles = Namespaces.Select(n => (n.Name, n.Type, Handle: NativeFile.Open($"/proc/{containerPid}/ns/{n.Name}", 0))).ToList();
        using var root = NativeFile.Open($"/proc/{containerPid}/root", Libc.O_DIRECTORY);
        // setns into a mount namespace refuses a caller whose fs_struct is shared, and all
        // .NET threads share one: give this thread its own first.
        NativeCallException.ThrowIfFailed(Libc.Unshare(Libc.CLONE_FS), "unshare the file system context");
        foreach (var (name, type, handle) in handles)
        {
            using (handle)
            {
                NativeCallException.ThrowIfFailed(Libc.Setns(handle, type), $"join the container's {name} namespace");
            }
        }
        NativeCallException.ThrowIfFailed(Libc.Fchdir(root), "change into the container root");
        NativeCallException.ThrowIfFailed(Libc.Chroot("."), "chroot into the container root");
        AppIdentity.BecomeApp(config with { Env = [.. config.Env, .. extraEnvironment] }, argv);
    }
}
