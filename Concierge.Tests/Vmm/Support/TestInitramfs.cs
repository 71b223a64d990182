namespace Concierge.Tests.Vmm.Support;

/// <summary>
/// Builds a tiny initramfs for boot tests: static busybox as /bin/busybox and an /init shell
/// script. The script mounts /proc and /sys, prints <see cref="Marker"/> with the online CPU
/// count, then runs <c>finalCommand</c> (a shell line, e.g. "/bin/busybox poweroff -f").
/// </summary>
public static class TestInitramfs
{
    public const string Marker = "CONCIERGE-INIT-REACHED";
    private const string Busybox = "/bin/busybox";

    /// <summary>Writes the archive to a file in <paramref name="directory"/> and returns its path.</summary>
    public static string Create(string directory, string finalCommand)
    {
        if (!File.Exists(Busybox))
        {
            NUnit.Framework.Assert.Fail($"{Busybox} is missing; apt-get install busybox-static");
        }
        var script = $"""
            #!/bin/busybox sh
            /bin/busybox mount -t proc proc /proc
            /bin/busybox mount -t sysfs sys /sys
            set -- /sys/devices/system/cpu/cpu[0-9]*
            echo "{Marker} cpus=$# online=$(/bin/busybox cat /sys/devices/system/cpu/online) uptime=$(/bin/busybox cut -d' ' -f1 /proc/uptime)"
            {finalCommand}
            """;
        var path = Path.Combine(directory, $"initramfs-{Guid.NewGuid():N}.cpio");
        using var file = File.Create(path);
        using (var cpio = new CpioNewcWriter(file))
        {
            foreach (var dir in new[] { "bin", "dev", "proc", "sys", "tmp" })
            {
                cpio.AddDirectory(dir);
            }
            cpio.AddCharacterDevice("dev/console", 5, 1);
            cpio.AddFile("bin/busybox", File.ReadAllBytes(Busybox), executable: true);
            cpio.AddFile("init", System.Text.Encoding.ASCII.GetBytes(script.ReplaceLineEndings("\n") + "\n"), executable: true);
        }
        return path;
    }
}
