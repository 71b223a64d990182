using Concierge.Guest.Config;
using Concierge.Guest.Native;

namespace Concierge.Guest.Container;

/// <summary>
/// Stage 2 of starting a container: this process was started by <see cref="ContainerLauncher"/>
/// after it unshared the PID namespace, so it is already PID 1 of a new PID namespace. It
/// makes its own mount, UTS, IPC and network namespaces (on the main thread: mount namespace
/// changes are per thread, and the main thread is the one that execs), builds the container's
/// view of the world and then becomes the app (execve), which therefore is the container's PID 1.
/// Each step has a name; a failing step ends the process with that name in the error.
/// </summary>
internal static class ContainerInit
{
    /// <summary>Device nodes bound from the init's /dev into the container's fresh /dev.</summary>
    private static readonly string[] Devices = ["null", "zero", "full", "random", "urandom", "tty"];

    public static void Run(ContainerConfig config, int readyFd, IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(config);
        ReadyPipe.CloseOnExec(readyFd);
        var root = config.RootFs;
        NativeCallException.ThrowIfFailed(
            Libc.Unshare(Libc.CLONE_NEWNS | Libc.CLONE_NEWUTS | Libc.CLONE_NEWIPC | Libc.CLONE_NEWNET),
            "create the container's mount, UTS, IPC and network namespaces");
        // Mount events must not propagate back to the host (or the VM's init) namespace.
        Mount(null, "/", null, Libc.MS_REC | Libc.MS_PRIVATE, null, "make all mounts private");
        // pivot_root needs the new root to be a mount point.
        Mount(root, root, null, Libc.MS_BIND | Libc.MS_REC, null, $"bind the container root {root}");
        Mount("proc", MountPoint(root, "proc"), "proc", Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC, null, "mount the container's /proc");
        Mount("tmpfs", MountPoint(root, "dev"), "tmpfs", Libc.MS_NOSUID | Libc.MS_NOEXEC, "mode=755,size=64k", "mount the container's /dev");
        foreach (var device in Devices)
        {
            var target = Path.Combine(root, "dev", device);
            File.WriteAllBytes(target, []);
            Mount("/dev/" + device, target, null, Libc.MS_BIND, null, $"bind /dev/{device}");
        }
        Mount("tmpfs", MountPoint(root, "tmp"), "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "mode=1777", "mount the container's /tmp");
        PivotInto(root);
        HostName.Set(config.Hostname);
        Loopback.BringUp();
        AppIdentity.BecomeApp(config, argv);
    }

    /// <summary>
    /// pivot_root(".", ".") stacks the old root on top of the new one at "/"; unmounting "."
    /// then detaches the old root without needing a directory to park it in.
    /// In the VM the init runs from the initramfs, and the kernel refuses pivot_root away from
    /// that root (EINVAL: rootfs can never be unmounted). Then the container root is moved over
    /// "/" and chrooted into, as switch_root and runc's no-pivot mode do; the initramfs stays
    /// hidden underneath, out of reach because CAP_SYS_CHROOT is dropped with the rest.
    /// </summary>
    private static void PivotInto(string root)
    {
        NativeCallException.ThrowIfFailed(Libc.Chdir(root), $"change into the container root {root}");
        if (Libc.PivotRoot(".", ".") == 0)
        {
            NativeCallException.ThrowIfFailed(Libc.Umount2(".", Libc.MNT_DETACH), "detach the old root");
        }
        else if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Errno.EINVAL)
        {
            NativeCallException.ThrowIfFailed(Libc.Mount(".", "/", null, Libc.MS_MOVE, null), $"move {root} over / (pivot_root is refused on the initramfs)");
            NativeCallException.ThrowIfFailed(Libc.Chroot("."), $"chroot into {root}");
        }
        else
        {
            NativeCallException.ThrowIfFailed(-1, $"pivot_root into {root}");
        }
        NativeCallException.ThrowIfFailed(Libc.Chdir("/"), "change to the new /");
    }

    private static string MountPoint(string root, string name)
    {
        var path = Path.Combine(root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static void Mount(string? source, string target, string? type, ulong flags, string? data, string step) =>
        NativeCallException.ThrowIfFailed(Libc.Mount(source, target, type, flags, data), step);
}
