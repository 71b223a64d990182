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
/// Pause and resume are in the Pause part.
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed partial class StockKernelBootTests
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

    [Test]
    public async Task HostStopEndsARunningGuestAndReleasesEverything() =>
        await RunThenStopAndCheckReleasedAsync("while :; do /bin/busybox sleep 1; done", async vm =>
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
            // What a startup timeout reports: a booted guest has left KVM_RUN on every vCPU.
            Assert.That(vm.VcpuActivity.Select(a => a.Id), Is.EqualTo(Enumerable.Range(0, 2)));
            Assert.That(vm.VcpuActivity, Has.All.Matches<VcpuActivity>(a => a.Exits > 0 && a.LastExit != null), string.Join(", ", vm.VcpuActivity));
        });

    /// <summary>
    /// Builds a 2-vCPU VM whose /init ends in <paramref name="finalCommand"/>, lets <paramref name="run"/>
    /// start and drive it, stops it from the host, runs <paramref name="afterStop"/>, disposes it (also
    /// when a step failed: a VM left running would slow every test after this one), and checks that it
    /// ended with HostStop and released every vCPU thread and KVM fd. Keep the guest idle (sleep, not
    /// spin): two spinning L2 vCPUs starved the emulated sandbox machine (QEMU TCG, nested SVM, 2
    /// cores) until the test runner made no progress at all.
    /// </summary>
    private async Task RunThenStopAndCheckReleasedAsync(string finalCommand, Func<VirtualMachine, Task> run, Action<VirtualMachine>? afterStop = null)
    {
        var initrd = TestInitramfs.Create(_scratch.FullName, finalCommand);
        var spec = StockGuest.Spec(initrd, vcpus: 2, memoryMiB: 256, CommandLine);
        // Settled: what earlier tests left to finalizers is not charged to this VM.
        var fdsBefore = SettledOpenFds();
        VmExit exit;
        var vm = new VmBuilder(spec).Build();
        try
        {
            await run(vm);
            exit = await vm.StopAsync().WaitAsync(StopTimeout);
            afterStop?.Invoke(vm);
        }
        finally
        {
            await vm.DisposeAsync();
        }
        Assert.That(exit.Reason, Is.EqualTo(VmExitReason.HostStop), exit.Detail);
        AssertVmReleased(fdsBefore);
    }

    /// <summary>The default command line, plus TEST_VMM_CMDLINE_EXTRA when set (e.g. "earlyprintk=ttyS0 loglevel=8" to debug a boot).</summary>
    internal static string CommandLine =>
        $"{VmSpec.DefaultCommandLine} {Environment.GetEnvironmentVariable("TEST_VMM_CMDLINE_EXTRA")}".TrimEnd();

    private async Task<(VmExit Exit, IReadOnlyList<string> Lines)> BootUntilExit(int vcpus, string finalCommand)
    {
        var initrd = TestInitramfs.Create(_scratch.FullName, finalCommand);
        var spec = StockGuest.Spec(initrd, vcpus, memoryMiB: 256, CommandLine);
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
