using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Concierge.Service.Supervision;

namespace Concierge.Tests.Service.Support;

/// <summary>
/// A VM instance that does what a test tells it: says hello, beats, crashes, or ignores
/// shutdown requests. <see cref="SendAsync"/> returns once the supervisor's pump has taken the
/// event, so a following SyncAsync on the supervisor sees it handled.
/// </summary>
internal sealed class FakeVm : IVmInstance
{
    private readonly Channel<(GuestLinkEvent Event, TaskCompletionSource Forwarded)> _events = Channel.CreateUnbounded<(GuestLinkEvent, TaskCompletionSource)>();
    private readonly TaskCompletionSource<InstanceExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _calls = new();

    public FakeVm(VmLaunch launch)
    {
        Launch = launch;
    }

    public VmLaunch Launch { get; }

    public bool FailStart { get; set; }

    public bool IgnoreGuestShutdown { get; set; }

    public bool IgnoreMonitorStop { get; set; }

    public bool IgnoreKill { get; set; }

    /// <summary>When set, a pause fails with it (a monitor that could not park its vCPUs).</summary>
    public Exception? PauseFailure { get; set; }

    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>What <see cref="DescribeProgress"/> answers.</summary>
    public string Progress { get; set; } = "no output at all from the kernel on the serial console";

    public Task<InstanceExit> Exited => _exit.Task;

    public async Task SendAsync(GuestLinkEvent guestEvent)
    {
        var forwarded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _events.Writer.WriteAsync((guestEvent, forwarded));
        await forwarded.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task HelloAsync() => SendAsync(new GuestHello("6.1.0-test"));

    public Task HeartbeatAsync(ulong sequence) =>
        SendAsync(new GuestHeartbeat(sequence, new GuestVitals(TimeSpan.FromSeconds(Math.Min(sequence, 1_000_000)), 0.5, 0.25, 0.125, 300 << 20, 480 << 20)));

    public void End(InstanceExitKind kind, string detail) => _exit.TrySetResult(new InstanceExit(kind, detail));

    public string DescribeProgress() => Progress;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _calls.Enqueue("start");
        return FailStart ? Task.FromException(new InvalidOperationException("KVM_CREATE_VM failed")) : Task.CompletedTask;
    }

    public Task RequestGuestShutdownAsync(CancellationToken cancellationToken)
    {
        _calls.Enqueue("guest-shutdown");
        if (!IgnoreGuestShutdown)
        {
            End(InstanceExitKind.PowerOff, "guest powered off");
        }
        return Task.CompletedTask;
    }

    public Task StopMonitorAsync(CancellationToken cancellationToken)
    {
        _calls.Enqueue("stop-monitor");
        if (!IgnoreMonitorStop)
        {
            End(InstanceExitKind.MonitorStopped, "monitor stopped");
        }
        return Task.CompletedTask;
    }

    public void Kill()
    {
        _calls.Enqueue("kill");
        if (!IgnoreKill)
        {
            End(InstanceExitKind.Killed, "killed");
        }
    }

    /// <summary>What <see cref="ExecAsync"/> answers.</summary>
    public GuestExecResult ExecResult { get; set; } = new(GuestExecStatus.Exited, 0, "fake\n"u8.ToArray(), []);

    public Task<GuestExecResult> ExecAsync(GuestExecRequest request, CancellationToken cancellationToken)
    {
        _calls.Enqueue("exec " + string.Join(' ', request.Argv));
        return Task.FromResult(ExecResult);
    }

    public Task SetTimeAsync(DateTimeOffset time, CancellationToken cancellationToken)
    {
        _calls.Enqueue("set-time");
        return Task.CompletedTask;
    }

    public Task PauseAsync(CancellationToken cancellationToken)
    {
        _calls.Enqueue("pause");
        return PauseFailure is null ? Task.CompletedTask : Task.FromException(PauseFailure);
    }

    public Task ResumeAsync(CancellationToken cancellationToken)
    {
        _calls.Enqueue("resume");
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<GuestLinkEvent> ReadGuestEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (guestEvent, forwarded) in _events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return guestEvent;
            // Resumed only when the consumer asks for the next event: this one is forwarded.
            forwarded.TrySetResult();
        }
    }

    public ValueTask DisposeAsync()
    {
        _calls.Enqueue("dispose");
        _events.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
