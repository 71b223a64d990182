using Concierge.Vmm;
using NUnit.Framework;
using static Concierge.Tests.Vmm.Support.VmHostProbe;

namespace Concierge.Tests.Vmm;

/// <summary>
/// Pause and resume: a guest that prints a counter on the serial console once a second (and
/// sleeps between: idle vCPUs) makes no progress while its vCPUs are parked, counts on from
/// where it stopped after resume, and a paused VM still stops and releases everything.
/// </summary>
public sealed partial class StockKernelBootTests
{
    private const string Tick = "TICK ";
    private const string CountingLoop = $"i=0; while :; do i=$((i+1)); echo \"{Tick}$i\"; /bin/busybox sleep 1; done";

    /// <summary>How long a paused guest is watched: several of its one-second ticks.</summary>
    private static readonly TimeSpan PausedFor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TickTimeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task PausedGuestMakesNoProgressAndCountsOnAfterResume() =>
        await RunThenStopAndCheckReleasedAsync(CountingLoop, async vm =>
        {
            var ticks = await StartThenPauseAtAsync(vm, 2);
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
        });

    [Test]
    public async Task StopWhilePausedEndsCleanly() =>
        await RunThenStopAndCheckReleasedAsync(CountingLoop, async vm =>
        {
            await StartThenPauseAtAsync(vm, 1);
        }, afterStop: vm =>
        {
            Assert.That(vm.IsPaused, Is.False, "a stopped VM is not paused");
            var pause = Assert.ThrowsAsync<InvalidOperationException>(() => vm.PauseAsync());
            Assert.That(pause!.Message, Does.Contain("ended"));
            Assert.ThrowsAsync<InvalidOperationException>(() => vm.ResumeAsync());
        });

    /// <summary>Starts <paramref name="vm"/>, waits until the guest has counted to <paramref name="count"/>, pauses it.</summary>
    private static async Task<TickWatcher> StartThenPauseAtAsync(VirtualMachine vm, int count)
    {
        var ticks = new TickWatcher(vm);
        vm.Start();
        await WithConsoleOnTimeout(ticks.WaitForAsync(count), vm, BootTimeout, $"the guest never counted to {count}");
        await vm.PauseAsync().WaitAsync(StopTimeout);
        return ticks;
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
