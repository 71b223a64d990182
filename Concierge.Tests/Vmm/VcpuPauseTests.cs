using Concierge.Tests.TestSupport;
using Concierge.Tests.Vmm.Support;
using Concierge.Vmm;
using NUnit.Framework;
using static Concierge.Tests.Vmm.Support.VmHostProbe;

namespace Concierge.Tests.Vmm;

/// <summary>
/// Pause and resume on real KVM: a guest that prints a counter on the serial console once a
/// second makes no progress while its vCPUs are parked, goes on counting after resume, and a
/// paused VM still stops cleanly. The guest sleeps between ticks (idle vCPUs): a spinning L2
/// guest starves the emulated sandbox machine (see <see cref="StockKernelBootTests"/>).
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed class VcpuPauseTests
{
    private const string Tick = "TICK ";
    private const string CountingLoop = $"i=0; while :; do i=$((i+1)); echo \"{Tick}$i\"; /bin/busybox sleep 1; done";

    /// <summary>How long a paused guest is watched: several of its one-second ticks.</summary>
    private static readonly TimeSpan PausedFor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TickTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private DirectoryInfo _scratch = null!;

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("vmm-pause-");

    [TearDown]
    public void DeleteScratch() => _scratch.Delete(recursive: true);

    [Test]
    public async Task PausedGuestMakesNoProgressAndCountsOnAfterResume()
    {
        await using var vm = Build();
        var ticks = new TickWatcher(vm);
        vm.Start();
        await WithConsoleOnTimeout(ticks.WaitForAsync(2), vm, StockKernelBootTests.BootTimeout, "the guest never counted to 2");

        await vm.PauseAsync().WaitAsync(StopTimeout);
        var atPause = ticks.Last;
        await vm.PauseAsync().WaitAsync(StopTimeout);
        Assert.That(vm.IsPaused, Is.True, "paused, and a second pause is a no-op");
        Assert.That(VcpuThreadCount(), Is.EqualTo(2), "paused vCPU threads are parked, not ended");
        await Task.Delay(PausedFor);
        Assert.That(ticks.Last, Is.EqualTo(atPause), $"no tick while paused for {PausedFor}");

        await vm.ResumeAsync();
        Assert.That(vm.IsPaused, Is.False);
        await WithConsoleOnTimeout(ticks.WaitForAsync(atPause + 2), vm, TickTimeout, $"the guest did not count on from {atPause} after resume");
        Assert.That(ticks.All.Take(atPause + 2), Is.EqualTo(Enumerable.Range(1, atPause + 2)), "the guest went on where it stopped");

        var exit = await vm.StopAsync().WaitAsync(StopTimeout);
        Assert.That(exit.Reason, Is.EqualTo(VmExitReason.HostStop), exit.Detail);
    }

    [Test]
    public async Task StopWhilePausedEndsCleanly()
    {
        // Settled: what earlier tests left to finalizers is not charged to this VM.
        var fdsBefore = SettledOpenFds();
        VmExit exit;
        var vm = Build();
        try
        {
            var ticks = new TickWatcher(vm);
            vm.Start();
            await WithConsoleOnTimeout(ticks.WaitForAsync(1), vm, StockKernelBootTests.BootTimeout, "the guest never counted to 1");
            await vm.PauseAsync().WaitAsync(StopTimeout);

            exit = await vm.StopAsync().WaitAsync(StopTimeout);

            Assert.That(vm.IsPaused, Is.False, "a stopped VM is not paused");
            var pause = Assert.ThrowsAsync<InvalidOperationException>(() => vm.PauseAsync());
            Assert.That(pause!.Message, Does.Contain("ended"));
            Assert.ThrowsAsync<InvalidOperationException>(() => vm.ResumeAsync());
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

    private VirtualMachine Build()
    {
        var initrd = TestInitramfs.Create(_scratch.FullName, CountingLoop);
        return new VmBuilder(new VmSpec(RepoPaths.Vmlinuz, initrd, vcpus: 2, memoryMiB: 256, StockKernelBootTests.CommandLine)).Build();
    }

    /// <summary>The counter lines the guest printed, in order, and a wait for a given count.</summary>
    private sealed class TickWatcher
    {
        private readonly List<int> _ticks = [];
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

        public TickWatcher(VirtualMachine vm) => vm.Console.LineReceived += OnLine;

        public int Last
        {
            get
            {
                lock (_ticks)
                {
                    return _ticks.Count == 0 ? 0 : _ticks[^1];
                }
            }
        }

        public int[] All
        {
            get
            {
                lock (_ticks)
                {
                    return [.. _ticks];
                }
            }
        }

        public Task WaitForAsync(int count)
        {
            lock (_ticks)
            {
                if (Last >= count)
                {
                    return Task.CompletedTask;
                }
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task;
            }
        }

        private void OnLine(string line)
        {
            var at = line.IndexOf(Tick, StringComparison.Ordinal);
            if (at < 0 || !int.TryParse(line.AsSpan(at + Tick.Length).Trim(), out var tick))
            {
                return;
            }
            lock (_ticks)
            {
                _ticks.Add(tick);
                foreach (var waiter in _waiters.Where(waiter => tick >= waiter.Count))
                {
                    waiter.Reached.TrySetResult();
                }
                _waiters.RemoveAll(waiter => tick >= waiter.Count);
            }
        }
    }
}
