using Concierge.Guest.Native;

namespace Concierge.Guest.Boot;

/// <summary>
/// The file systems PID 1 mounts before anything else runs, and unmounts last. A mount
/// that already exists (EBUSY) is left as it is and not unmounted later.
/// </summary>
internal sealed class EarlyMounts
{
    private static readonly (string Source, string Target, string Type, ulong Flags, string? Data)[] Early =
    [
        ("proc", "/proc", "proc", Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC, null),
        ("sysfs", "/sys", "sysfs", Libc.MS_NOSUID | Libc.MS_NODEV | Libc.MS_NOEXEC, null),
        ("devtmpfs", "/dev", "devtmpfs", Libc.MS_NOSUID, "mode=0755"),
        ("devpts", "/dev/pts", "devpts", Libc.MS_NOSUID | Libc.MS_NOEXEC, "gid=5,mode=0620,ptmxmode=0666"),
        ("tmpfs", "/dev/shm", "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "mode=1777"),
        ("tmpfs", "/tmp", "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "mode=1777"),
        ("tmpfs", "/run", "tmpfs", Libc.MS_NOSUID | Libc.MS_NODEV, "mode=0755"),
    ];

    private readonly Stack<string> _mounted = new();

    /// <summary>Mounts proc, sys, dev, devpts, /dev/shm, /tmp and /run.</summary>
    public void MountEarly()
    {
        foreach (var (source, target, type, flags, data) in Early)
        {
            Mount(source, target, type, flags, data);
        }
    }

    /// <summary>Mounts a block device (waiting for it to appear: drivers probe asynchronously).</summary>
    public void MountDisk(string device, string target, string type, TimeSpan waitForDevice)
    {
        var deadline = DateTime.UtcNow + waitForDevice;
        while (!File.Exists(device) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }
        if (!File.Exists(device))
        {
            throw new NativeCallException($"wait for disk {device}", Errno.ENOENT);
        }
        Mount(device, target, type, 0, null);
    }

    /// <summary>Unmounts what we mounted, newest first; a busy one is detached instead.</summary>
    public void UnmountAll()
    {
        while (_mounted.TryPop(out var target))
        {
            if (Libc.Umount2(target, 0) != 0 && Libc.Umount2(target, Libc.MNT_DETACH) != 0)
            {
                Log.Warn($"cannot unmount {target}");
            }
        }
    }

    private void Mount(string source, string target, string type, ulong flags, string? data)
    {
        Directory.CreateDirectory(target);
        if (Libc.Mount(source, target, type, flags, data) == 0)
        {
            _mounted.Push(target);
            return;
        }
        var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        if (error != Errno.EBUSY)
        {
            throw new NativeCallException($"mount {type} on {target}", error);
        }
    }
}
