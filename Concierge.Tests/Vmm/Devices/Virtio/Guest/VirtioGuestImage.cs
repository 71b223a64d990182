using Concierge.Tests.TestSupport;
using Concierge.Tests.Vmm.Support;

namespace Concierge.Tests.Vmm.Devices.Virtio.Guest;

/// <summary>
/// Builds an initramfs for virtio guest tests: static busybox, the stock virtio modules (insmod-ed
/// in dependency order by /init), <c>vsockio</c> (Guest/vsockio.c compiled with gcc -static here),
/// and the test's own shell script, run after the modules are in.
/// </summary>
public static class VirtioGuestImage
{
    /// <summary>Printed after each failed insmod, so a test can report it.</summary>
    public const string InsmodFailed = "INSMOD-FAILED";

    private const string Busybox = "/bin/busybox";

    /// <summary>Writes the archive into <paramref name="directory"/> and returns its path.</summary>
    public static async Task<string> CreateAsync(string directory, string script)
    {
        if (!File.Exists(Busybox))
        {
            NUnit.Framework.Assert.Fail($"{Busybox} is missing; apt-get install busybox-static");
        }
        var vsockio = Path.Combine(directory, "vsockio");
        var source = Path.Combine(RepoPaths.Root, "Concierge.Tests", "Vmm", "Devices", "Virtio", "Guest", "vsockio.c");
        await Command.RunCheckedAsync("gcc", "-static", "-O2", "-Wall", "-o", vsockio, source);

        var modules = KernelModules.Resolve(KernelModules.Virtio);
        var names = modules.Select(Path.GetFileNameWithoutExtension).ToArray();
        var init = $"""
            #!/bin/busybox sh
            /bin/busybox --install -s /bin
            mount -t proc proc /proc
            mount -t sysfs sys /sys
            mount -t devtmpfs dev /dev
            for module in {string.Join(' ', names)}; do
              insmod /lib/modules/$module.ko || echo "{InsmodFailed} $module"
            done
            {script}
            """;
        var path = Path.Combine(directory, "virtio-initramfs.cpio");
        using var file = File.Create(path);
        using var cpio = new CpioNewcWriter(file);
        foreach (var dir in new[] { "bin", "dev", "proc", "sys", "tmp", "lib", "lib/modules" })
        {
            cpio.AddDirectory(dir);
        }
        cpio.AddCharacterDevice("dev/console", 5, 1);
        cpio.AddFile("bin/busybox", await File.ReadAllBytesAsync(Busybox), executable: true);
        cpio.AddFile("bin/vsockio", await File.ReadAllBytesAsync(vsockio), executable: true);
        foreach (var module in modules)
        {
            cpio.AddFile($"lib/modules/{Path.GetFileName(module)}", await File.ReadAllBytesAsync(module), executable: false);
        }
        cpio.AddFile("init", System.Text.Encoding.ASCII.GetBytes(init.ReplaceLineEndings("\n") + "\n"), executable: true);
        return path;
    }
}
