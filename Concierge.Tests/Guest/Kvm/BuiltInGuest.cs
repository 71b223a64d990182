using Concierge.Service.Registry;
using Concierge.Service.Runtime;
using Concierge.Service.Supervision;
using Concierge.Tests.TestSupport;
using NUnit.Framework;
using Serilog;

namespace Concierge.Tests.Guest.Kvm;

/// <summary>
/// The guest guest/build.sh builds ($CONCIERGE_CACHE/guest/current: Debian's kernel, our
/// initramfs, the busybox test disk) and what the Kvm tests need to run it for real.
/// </summary>
public static class BuiltInGuest
{
    public static string Directory => Path.Combine(RepoPaths.Cache, "guest", "current");

    /// <summary>Runtime options pointing at the built guest; fails (never skips) when it is not built.</summary>
    public static VmRuntimeOptions Options()
    {
        RepoPaths.RequireFile(Path.Combine(Directory, VmRuntimeOptions.KernelFileName), "guest/build.sh");
        RepoPaths.RequireFile(Path.Combine(Directory, VmRuntimeOptions.InitrdFileName), "guest/build.sh");
        return new VmRuntimeOptions { GuestDirectory = Directory };
    }

    /// <summary>A private, writable copy of the busybox test disk in <paramref name="scratch"/>.</summary>
    public static string CopyRootfs(string scratch)
    {
        var source = RepoPaths.RequireFile(Path.Combine(Directory, "rootfs.ext4"), "guest/build.sh");
        var copy = Path.Combine(scratch, "rootfs.ext4");
        File.Copy(source, copy);
        return copy;
    }

    /// <summary>The kernel release the built guest runs (its modules directory is named after it).</summary>
    public static string KernelRelease =>
        new DirectoryInfo(Path.GetDirectoryName(new FileInfo(Path.Combine(Directory, VmRuntimeOptions.KernelFileName)).ResolveLinkTarget(true)!.FullName)!).Name;

    /// <summary>Service logs on the test runner's output.</summary>
    public static ILogger Log() => new LoggerConfiguration().MinimumLevel.Debug()
        .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} {Message:lj}{NewLine}{Exception}")
        .CreateLogger();

    /// <summary>A launch of <paramref name="definition"/> as VM "test" of uid 1000.</summary>
    public static VmLaunch Launch(VmDefinition definition, uint cid, string scratch) =>
        new(new VmKey(1000, "test"), cid, definition, Path.Combine(scratch, "console.log"), 0);

    /// <summary>Prints the VM's console log (the guest's kernel and init messages) into the test's output.</summary>
    public static void ReportConsole(string scratch)
    {
        var log = Path.Combine(scratch, "console.log");
        if (File.Exists(log))
        {
            TestContext.Out.WriteLine($"--- console ---\n{Concierge.Service.Logging.ConsoleLog.ReadTail(log, 16 * 1024)}");
        }
    }
}
