using System.Collections.Concurrent;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Microsoft.Extensions.Time.Testing;

namespace Concierge.Tests.Service.Support;

/// <summary>
/// One supervisor over fake VMs and fake time. Time only moves when a test advances it;
/// <see cref="SyncAsync"/> waits until the supervisor has handled everything queued, so tests
/// check exact moments. Real-time waits are only a safety net against hangs.
/// </summary>
internal sealed class SupervisorHarness : IAsyncDisposable
{
    public static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<VmTransition> _transitions = new();

    public SupervisorHarness(VmDefinition? definition = null, SupervisorOptions? options = null)
    {
        Definition = definition ?? new VmDefinition
        {
            KernelPath = "/boot/vmlinuz",
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            MissedHeartbeats = 3,
            StartupTimeout = TimeSpan.FromSeconds(60),
        };
        Options = options ?? new SupervisorOptions();
        Supervisor = new VmSupervisor(new VmKey(1000, "dev"), 32, Definition, "/nonexistent/console.log",
            Factory, Options, Time, Logs.CreateLogger());
        Supervisor.Transitioned += (_, t) => _transitions.Enqueue(t);
    }

    public FakeTimeProvider Time { get; } = new();

    public FakeVmFactory Factory { get; } = new();

    public CollectingSink Logs { get; } = new();

    public VmDefinition Definition { get; }

    public SupervisorOptions Options { get; }

    public VmSupervisor Supervisor { get; }

    public IReadOnlyList<VmTransition> Transitions => [.. _transitions];

    public VmStatusSnapshot Snapshot => Supervisor.Snapshot;

    /// <summary>Starts the supervisor and returns the first instance once its start deadline is armed.</summary>
    public async Task<FakeVm> StartAsync()
    {
        Supervisor.Start();
        var vm = await Factory.NextAsync();
        await SyncAsync();
        return vm;
    }

    /// <summary>Starts and brings the VM to Running with a hello.</summary>
    public async Task<FakeVm> StartRunningAsync()
    {
        var vm = await StartAsync();
        await vm.HelloAsync();
        await SyncAsync();
        if (Snapshot.State != VmState.Running)
        {
            throw new InvalidOperationException($"expected Running after hello, got {Snapshot.State}");
        }
        return vm;
    }

    public Task SyncAsync() => Supervisor.SyncAsync().WaitAsync(SafetyTimeout);

    /// <summary>Moves fake time and waits until the supervisor handled what fired.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        await SyncAsync();
    }

    public Task<VmStatusSnapshot> WaitForAsync(Func<VmStatusSnapshot, bool> condition) =>
        Supervisor.WaitForAsync(condition).WaitAsync(SafetyTimeout);

    /// <summary>
    /// Advances fake time in small steps until <paramref name="condition"/> holds (for Polly's
    /// backoff, whose timer is armed off the supervisor's loop); returns the fake time advanced.
    /// </summary>
    public async Task<TimeSpan> AdvanceUntilAsync(Func<bool> condition, TimeSpan step, TimeSpan limit)
    {
        var advanced = TimeSpan.Zero;
        while (!condition())
        {
            if (advanced >= limit)
            {
                throw new TimeoutException($"condition not met after advancing {advanced}");
            }
            Time.Advance(step);
            advanced += step;
            // Let the thread pool run whatever the timers released (bounded by limit/step).
            for (var i = 0; i < 3 && !condition(); i++)
            {
                await Task.Delay(1);
            }
        }
        return advanced;
    }

    public async ValueTask DisposeAsync() => await Supervisor.DisposeAsync().AsTask().WaitAsync(SafetyTimeout);
}
