using System.Collections.Concurrent;
using Concierge.Tests.TestSupport;
using Concierge.Tests.Vmm.Support;
using Concierge.Vmm;
using NUnit.Framework;
using static Concierge.Tests.Vmm.Support.VmHostProbe;

namespace Concierge.Tests.Vmm;

/// <summary>
/// Boots Debian's stock kernel with a busybox initramfs on real KVM and checks how the guest's own
/// actions end the VM: power-off, reboot, SMP bring-up, and a host stop while the guest runs.
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed class StockKernelBootTests
{
    internal static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(
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

    [Test]
    public async Task HostStopEndsARunningGuestAndReleasesEverything()
    {
        // The guest keeps running but idles (its vCPUs halt between ticks). A guest that spins
        // was tried: under the emulated sandbox (QEMU TCG, nested SVM, 2 cores) two spinning L2
        // vCPUs starved the L1 machine itself, so the test runner stopped making progress at all.
        var initrd = TestInitramfs.Create(_scratch.FullName, "while :; do /bin/busybox sleep 1; done");
        var spec = new VmSpec(RepoPaths.Vmlinuz, initrd, vcpus: 2, memoryMiB: 256, CommandLine);
        // Settled: what earlier tests left to finalizers is not charged to this VM.
        var fdsBefore = SettledOpenFds();

        VmExit exit;
        var vm = new VmBuilder(spec).Build();
        try
        {
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
            exit = await vm.StopAsync().WaitAsync(StopTimeout);
        }
        finally
        {
            // Also when the boot failed: a VM left running would slow every test after this one.
            await vm.DisposeAsync();
        }

        Assert.That(exit.Reason, Is.EqualTo(VmExitReason.HostStop), exit.Detail);
        Assert.That(VcpuThreadCount(), Is.Zero, "vCPU threads are joined");
        var fdsAfter = SettledOpenFds();
        Assert.That(fdsAfter.Where(IsKvmFd), Is.EquivalentTo(fdsBefore.Where(IsKvmFd)),
            $"every KVM fd the VM opened is closed; all fds before: {string.Join(", ", fdsBefore)}; after: {string.Join(", ", fdsAfter)}");
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

    private static string? MarkerLine(IReadOnlyList<string> lines) =>
        lines.FirstOrDefault(line => line.Contains(TestInitramfs.Marker, StringComparison.Ordinal));
}
