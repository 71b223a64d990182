using System.Threading.Channels;
using Concierge.Service.Registry;
using Polly;
using Polly.Retry;
using Serilog;
using Serilog.Events;

namespace Concierge.Service.Supervision;

/// <summary>
/// Runs one VM from StartVm to its final stop: builds an instance, waits for the guest's hello,
/// judges health from heartbeats, escalates stops (ask the guest, stop the monitor, kill) and
/// restarts by policy with backoff (a Polly retry over whole runs). One loop task owns all
/// state; timers, guest events, exits and callers only post inputs to it, so transitions are
/// strictly ordered. Nothing a VM does makes this type throw: every ending becomes a state.
/// </summary>
public sealed partial class VmSupervisor : IAsyncDisposable
{
    private readonly Channel<SupervisorInput> _inputs =
        Channel.CreateUnbounded<SupervisorInput>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _restartCancel = new();
    private readonly VmDefinition _definition;
    private readonly IVmInstanceFactory _factory;
    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _consoleLogPath;
    private readonly RestartBudget _budget;
    private readonly ResiliencePipeline<RunOutcome> _restartPipeline;
    private Task? _loop;
    private volatile VmStatusSnapshot _snapshot = new();
    // What listeners last heard; changes are raised against it, not against _snapshot, which
    // Start sets ahead of the loop without raising.
    private VmStatusSnapshot _announced = new();
    private volatile bool _stopRequested;

    /// <summary>The images the caller passed for this run, handed to every instance; the run's owner closes them.</summary>
    public PassedImages? PassedImages { get; init; }

    /// <summary>
    /// The guest commands of the run, while the VM is running (null otherwise). The instance may
    /// end right after this is read: its commands then fail with <see cref="GuestLinkUnavailableException"/>.
    /// </summary>
    public IGuestCommands? RunningGuest => _snapshot.State == VmState.Running ? Volatile.Read(ref _instance) : null;

    /// <summary>What this supervisor runs.</summary>
    public VmDefinition Definition => _definition;

    /// <summary>Creates a supervisor; nothing runs until <see cref="Start"/>.</summary>
    public VmSupervisor(VmKey key, uint cid, VmDefinition definition, string consoleLogPath,
        IVmInstanceFactory factory, SupervisorOptions options, TimeProvider time, ILogger log)
    {
        Key = key;
        Cid = cid;
        _definition = definition;
        _consoleLogPath = consoleLogPath;
        _factory = factory;
        _options = options;
        _time = time;
        _log = log.ForContext("VmName", key.Name).ForContext("Owner", key.Owner).ForContext(nameof(Cid), cid);
        _budget = new RestartBudget(options);
        _restartPipeline = new ResiliencePipelineBuilder<RunOutcome> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<RunOutcome>
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result?.RestartDelay is not null),
                DelayGenerator = static args => ValueTask.FromResult(args.Outcome.Result?.RestartDelay),
                OnRetry = args =>
                {
                    _log.Information("Restarting VM {VmName} in {RestartDelay} (restart {Attempt})", Key.Name, args.RetryDelay, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Raised on the supervisor's loop for every change of state or health.</summary>
    public event EventHandler<VmTransition>? Transitioned;

    /// <summary>Which VM.</summary>
    public VmKey Key { get; }

    /// <summary>Its vsock CID.</summary>
    public uint Cid { get; }

    /// <summary>The current status.</summary>
    public VmStatusSnapshot Snapshot => _snapshot;

    /// <summary>Completes when the VM is finally stopped or failed with no restart to come.</summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    /// <summary>Starts supervising: builds and starts the first instance in the background.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException($"VM {Key} is already supervised");
        }
        // Whoever asked for the start reads the status right after this call (StartVm answers
        // it), before the loop has published anything on the pool: it must already say starting.
        _snapshot = new VmStatusSnapshot { State = VmState.Starting, StartedAt = _time.GetUtcNow() };
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Stops the VM with escalation; completes when it is down. Stopping a stopped VM succeeds.</summary>
    public Task StopAsync(VmStopReason reason = VmStopReason.StopRequested) => RequestStop(reason, kill: false);

    /// <summary>Ends the VM without asking the guest; completes when it is down.</summary>
    public Task KillAsync() => RequestStop(VmStopReason.KillRequested, kill: true);

    /// <summary>Pauses a running VM's vCPUs and devices; answers why not when it is not running or the monitor failed.</summary>
    public Task<PauseOutcome> SuspendAsync() => RequestSuspend(pause: true);

    /// <summary>Resumes a suspended VM; answers why not when it is not suspended or the monitor failed.</summary>
    public Task<PauseOutcome> ResumeAsync() => RequestSuspend(pause: false);

    /// <summary>
    /// Waits until the status satisfies <paramref name="condition"/>, or the supervision ends;
    /// returns the status at that point either way.
    /// </summary>
    public async Task<VmStatusSnapshot> WaitForAsync(Func<VmStatusSnapshot, bool> condition, CancellationToken cancellationToken = default)
    {
        var reached = new TaskCompletionSource<VmStatusSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnTransition(object? sender, VmTransition transition)
        {
            if (condition(transition.Current))
            {
                reached.TrySetResult(transition.Current);
            }
        }
        Transitioned += OnTransition;
        try
        {
            if (condition(_snapshot))
            {
                return _snapshot;
            }
            await Task.WhenAny(reached.Task, Completion).WaitAsync(cancellationToken);
            return reached.Task.IsCompleted ? await reached.Task : _snapshot;
        }
        finally
        {
            Transitioned -= OnTransition;
        }
    }

    /// <summary>Kills the VM if it still runs and waits for the loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_loop is not null && !_loop.IsCompleted)
        {
            await KillAsync();
            await _loop;
        }
        _restartCancel.Dispose();
    }

    /// <summary>Completes once every input queued so far is handled (for deterministic tests).</summary>
    internal Task SyncAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _inputs.Writer.TryWrite(new SupervisorInput.Barrier(done)) ? done.Task : Task.CompletedTask;
    }

    private Task RequestStop(VmStopReason reason, bool kill)
    {
        _stopRequested = true;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inputs.Writer.TryWrite(new SupervisorInput.Stop(reason, kill, done)))
        {
            return Task.CompletedTask;
        }
        // A restart may be waiting out its backoff: cancel it (a run in progress ignores this).
        _restartCancel.Cancel();
        return done.Task;
    }

    private Task<PauseOutcome> RequestSuspend(bool pause)
    {
        var done = new TaskCompletionSource<PauseOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _inputs.Writer.TryWrite(new SupervisorInput.Suspend(pause, done)) ? done.Task : Task.FromResult(PauseOutcome.WrongState);
    }

    private async Task RunAsync()
    {
        var stoppedInBackoff = false;
        try
        {
            await _restartPipeline.ExecuteAsync(static (self, _) => self.RunOnceAsync(), this, _restartCancel.Token);
        }
        catch (OperationCanceledException) when (_stopRequested)
        {
            stoppedInBackoff = true;
        }
        catch (Exception e)
        {
            _log.Error(e, "Supervisor of VM {VmName} failed", Key.Name);
            Publish(s => s with { State = VmState.Failed, Health = VmHealth.Unknown, StopReason = VmStopReason.Failed, FailureReason = $"supervisor error: {e.Message}", RestartDelay = null });
        }
        finally
        {
            ReleaseStopWaiters();
            DrainAfterEnd(stoppedInBackoff);
        }
    }

    private void DrainAfterEnd(bool stoppedInBackoff)
    {
        _inputs.Writer.TryComplete();
        var pending = new List<SupervisorInput>();
        while (_inputs.Reader.TryRead(out var input))
        {
            pending.Add(input);
        }
        if (stoppedInBackoff)
        {
            // The VM was already down, waiting to restart: the stop just cancels the restart.
            var reason = pending.OfType<SupervisorInput.Stop>().Select(s => s.Reason).FirstOrDefault(VmStopReason.StopRequested);
            Publish(s => s with { State = VmState.Stopped, StopReason = reason, RestartDelay = null });
        }
        foreach (var input in pending)
        {
            switch (input)
            {
                case SupervisorInput.Stop stop:
                    stop.Done.TrySetResult();
                    break;
                case SupervisorInput.Suspend suspend:
                    suspend.Done.TrySetResult(PauseOutcome.WrongState);
                    break;
                case SupervisorInput.Barrier barrier:
                    barrier.Done.TrySetResult();
                    break;
            }
        }
    }

    private void Publish(Func<VmStatusSnapshot, VmStatusSnapshot> change)
    {
        var current = change(_snapshot);
        _snapshot = current;
        var previous = _announced;
        if (previous.State == current.State && previous.Health == current.Health && previous.RestartDelay == current.RestartDelay)
        {
            return;
        }
        _announced = current;
        LogTransition(previous, current);
        var transition = new VmTransition(Key, Cid, previous, current);
        foreach (var handler in Transitioned?.GetInvocationList() ?? [])
        {
            try
            {
                ((EventHandler<VmTransition>)handler)(this, transition);
            }
            catch (Exception e)
            {
                // A broken listener (a D-Bus signal that failed to send) must not stop supervision.
                _log.Error(e, "Transition listener of VM {VmName} threw", Key.Name);
            }
        }
    }

    private void LogTransition(VmStatusSnapshot previous, VmStatusSnapshot current)
    {
        var level = current.State == VmState.Failed ? LogEventLevel.Error
            : current.Health == VmHealth.Unresponsive ? LogEventLevel.Warning
            : LogEventLevel.Information;
        _log.ForContext("StopReason", current.StopReason).ForContext("FailureReason", current.FailureReason)
            .ForContext("RestartDelay", current.RestartDelay)
            .Write(level, "VM {VmName} of {Owner} (cid {Cid}) {PreviousState} -> {State}, health {Health}",
                Key.Name, Key.Owner, Cid, previous.State, current.State, current.Health);
    }
}
