using Concierge.Guest.Config;
using Concierge.Guest.Container;
using Concierge.Guest.Native;
using Concierge.Guest.Supervision;

namespace Concierge.Guest.Boot;

/// <summary>
/// PID 1 in the VM (the kernel runs /init from the initramfs): early mounts, kernel log,
/// kernel modules, host name, loopback, the container's disk, then the
/// <see cref="InitRuntime"/> until shutdown, then unmount, sync and power off. PID 1 must
/// never exit (the kernel panics), so every failure ends in the same orderly power-off.
/// Booting it needs only: kernel command line "console=ttyS0 concierge.heartbeat_ms=N"
/// (plus concierge.rootfs=/dev/vda for a container disk) and the initramfs of guest/build.sh.
/// </summary>
internal static class InitProcess
{
    private const string Path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static int Run()
    {
        var mounts = new EarlyMounts();
        try
        {
            mounts.MountEarly();
            Log.UseKernelLog();
            Environment.SetEnvironmentVariable("PATH", Path);
            var commandLine = KernelCommandLine.Parse(File.ReadAllText("/proc/cmdline"));
            Log.Info($"starting on kernel {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}");
            Log.Info($"{ModuleLoader.LoadAll()} kernel modules loaded");
            var config = File.Exists(commandLine.ConfigPath) ? InitConfig.Load(commandLine.ConfigPath) : new InitConfig();
            HostName.Set(commandLine.Hostname ?? config.Hostname);
            Loopback.BringUp();
            if (commandLine.RootFsDevice is { } device)
            {
                mounts.MountDisk(device, commandLine.RootFsMountPoint, commandLine.RootFsType, TimeSpan.FromSeconds(10));
                Log.Info($"mounted {device} on {commandLine.RootFsMountPoint}");
            }
            var runtime = new InitRuntime(config, new RuntimeOptions
            {
                IsPid1 = true,
                HostLink = commandLine.HostLink == "none" ? null : commandLine.HostLink,
                HeartbeatInterval = commandLine.HeartbeatInterval,
            });
            runtime.RunAsync().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            // Anything that escapes is fatal for the guest: end it in order rather than panic.
            Log.Error($"init failed: {e.GetType().Name}: {e.Message}");
            Libc.Kill(-1, Libc.SIGKILL);
        }
        mounts.UnmountAll();
        Libc.Sync();
        Log.Info("powering off");
        Libc.Reboot(Libc.RB_POWER_OFF);
        // Only reached if the kernel refused; PID 1 still must not exit.
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
