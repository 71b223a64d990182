namespace Concierge.Service.Supervision;

/// <summary>One run: build an instance, start it, and handle inputs until it has ended.</summary>
public sealed partial class VmSupervisor
{
    private readonly List<TaskCompletionSource> _stopWaiters = [];
    private int _generation;
    private int _attempt = -1;
    private IVmInstance? _instance;
    private RunOutcome? _outcome;
    private DateTimeOffset _runStartedAt;

    private async ValueTask<RunOutcome> RunOnceAsync()
    {
        var outcome = await RunInstanceAsync();
        // Only now, with the instance disposed (threads joined, fds closed), is the run over: a VM
        // shown stopped or failed holds nothing, and a stop caller may start it again at once.
        Publish(s => s with
        {
            State = outcome.State,
            Health = VmHealth.Unknown,
            StopReason = outcome.Reason,
            FailureReason = outcome.FailureReason,
            RestartDelay = outcome.RestartDelay,
        });
        if (outcome.RestartDelay is null)
        {
            ReleaseStopWaiters();
        }
        return outcome;
    }

    private void ReleaseStopWaiters()
    {
        foreach (var waiter in _stopWaiters)
        {
            waiter.TrySetResult();
        }
        _stopWaiters.Clear();
    }

    private async ValueTask<RunOutcome> RunInstanceAsync()
    {
        _attempt++;
        var generation = ++_generation;
        _outcome = null;
        _stopStep = StopStep.None;
        _lastSequence = null;
        _runStartedAt = _time.GetUtcNow();
        Publish(s => new VmStatusSnapshot { State = VmState.Starting, StartedAt = _runStartedAt, RestartCount = _attempt });

        IVmInstance instance;
        try
        {
            instance = _factory.Create(new VmLaunch(Key, Cid, _definition, _consoleLogPath, _attempt) { PassedImages = PassedImages });
        }
        catch (Exception e)
        {
            return Conclude(VmState.Failed, VmStopReason.Failed, $"could not build the VM: {e.Message}");
        }
        _instance = instance;
        using var runCancel = new CancellationTokenSource();
        try
        {
            ArmDeadline(DeadlineKind.Startup, _definition.StartupTimeout);
            try
            {
                await instance.StartAsync(runCancel.Token);
            }
            catch (Exception e)
            {
                SafeKill(instance);
                return Conclude(VmState.Failed, VmStopReason.Failed, $"the monitor failed to start: {e.Message}");
            }
            _log.Debug("VM {VmName} monitor started: vCPUs running, waiting for the guest's hello", Key.Name);
            _ = WatchExitAsync(generation, instance);
            _ = PumpGuestEventsAsync(generation, instance, runCancel.Token);
            while (_outcome is null)
            {
                await HandleAsync(await _inputs.Reader.ReadAsync());
            }
            return _outcome;
        }
        finally
        {
            DisarmAll();
            await runCancel.CancelAsync();
            _instance = null;
            await DisposeInstanceAsync(instance);
        }
    }

    private async Task HandleAsync(SupervisorInput input)
    {
        switch (input)
        {
            case SupervisorInput.Guest guest when guest.Generation == _generation:
                OnGuestEvent(guest.Event);
                break;
            case SupervisorInput.Exited exited when exited.Generation == _generation:
                OnExited(exited.Exit);
                break;
            case SupervisorInput.Deadline deadline when IsCurrent(deadline):
                OnDeadline(deadline.Kind);
                break;
            case SupervisorInput.Stop stop:
                OnStopRequested(stop);
                break;
            case SupervisorInput.Suspend suspend:
                suspend.Done.TrySetResult(await OnSuspendRequestedAsync(suspend.Pause));
                break;
            case SupervisorInput.Barrier barrier:
                barrier.Done.TrySetResult();
                break;
            default:
                // An input of an instance that is already gone, or a deadline since re-armed.
                break;
        }
    }

    private void OnExited(InstanceExit exit)
    {
        if (_stopStep != StopStep.None)
        {
            _log.Information("VM {VmName} exited while stopping: {ExitKind} {ExitDetail}", Key.Name, exit.Kind, exit.Detail);
            _outcome = Conclude(_pendingStop.State, _pendingStop.Reason, _pendingStop.FailureReason);
            return;
        }
        _outcome = exit.Kind == InstanceExitKind.PowerOff
            ? Conclude(VmState.Stopped, VmStopReason.VmExited, null)
            : Conclude(VmState.Failed, VmStopReason.Failed, $"{Describe(exit.Kind)}: {exit.Detail}");
    }

    private void OnDeadline(DeadlineKind kind)
    {
        switch (kind)
        {
            case DeadlineKind.Startup when _snapshot.State == VmState.Starting && _stopStep == StopStep.None:
                // Asked now, while the monitor still runs: what it showed is all there is to go on.
                BeginStop(new PendingStop(VmState.Failed, VmStopReason.Failed,
                    $"the guest did not say hello within {_definition.StartupTimeout.TotalSeconds:0.###} s; {_instance?.DescribeProgress()}"),
                    StopStep.StoppedMonitor, announce: false);
                break;
            case DeadlineKind.Health:
                OnHealthDeadline();
                break;
            case DeadlineKind.StopStep:
                Escalate();
                break;
        }
    }

    /// <summary>Ends a run: decides on a restart. The final state is published once the instance is disposed.</summary>
    private RunOutcome Conclude(VmState state, VmStopReason reason, string? failureReason)
    {
        TimeSpan? restartDelay = null;
        if (!_stopRequested && PolicyRestarts(reason))
        {
            restartDelay = _budget.TryTake(_time.GetUtcNow());
            if (restartDelay is null)
            {
                failureReason += $"; gave up after {_options.RestartBurst} restarts within {_options.RestartWindow.TotalSeconds:0.###} s";
            }
        }
        return new RunOutcome(state, reason, failureReason, restartDelay);
    }

    private bool PolicyRestarts(VmStopReason reason) => (reason, _definition.RestartPolicy) switch
    {
        (VmStopReason.Failed, RestartPolicy.OnFailure or RestartPolicy.OnUnresponsive) => true,
        (VmStopReason.Unresponsive, RestartPolicy.OnUnresponsive) => true,
        _ => false,
    };

    private async Task<PauseOutcome> OnSuspendRequestedAsync(bool pause)
    {
        var instance = _instance;
        var expected = pause ? VmState.Running : VmState.Suspended;
        if (instance is null || _snapshot.State != expected || _stopStep != StopStep.None)
        {
            return PauseOutcome.WrongState;
        }
        try
        {
            // The token lets a late pause undo itself (the monitor resumes what it parked), so a
            // Suspend reported as failed does not leave the guest paused behind a Running state.
            using var grace = new CancellationTokenSource(_options.MonitorStopGrace, _time);
            var call = pause ? instance.PauseAsync(grace.Token) : instance.ResumeAsync(grace.Token);
            await call.WaitAsync(_options.MonitorStopGrace, _time);
        }
        catch (Exception e)
        {
            _log.Warning(e, "{Operation} of VM {VmName} failed", pause ? "Suspend" : "Resume", Key.Name);
            var why = e is TimeoutException ? $"the monitor did not answer within {_options.MonitorStopGrace.TotalSeconds:0.#} s" : e.Message;
            return new PauseOutcome(PauseResult.MonitorFailed, why);
        }
        if (pause)
        {
            DisarmDeadline(DeadlineKind.Health);
            Publish(s => s with { State = VmState.Suspended, Health = VmHealth.Unknown });
        }
        else
        {
            // The guest could not beat while paused: its heartbeat clock starts over now.
            _lastBeat = _time.GetUtcNow();
            ArmHealthDeadline();
            Publish(s => s with { State = VmState.Running, Health = VmHealth.Healthy });
            _ = CatchUpGuestClockAsync(instance);
        }
        return PauseOutcome.Done;
    }

    /// <summary>
    /// The guest's clock stood still while it was paused; this sets it to now, as Chrome OS's
    /// concierge does after a resume. Off the loop: a guest that does not answer must not hold up
    /// supervision, and a clock left behind is logged, not fatal.
    /// </summary>
    private async Task CatchUpGuestClockAsync(IVmInstance instance)
    {
        try
        {
            await instance.SetTimeAsync(_time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception e)
        {
            _log.Warning("VM {VmName} resumed but its clock was not set: {Reason}", Key.Name, e.Message);
        }
    }

    private async Task WatchExitAsync(int generation, IVmInstance instance)
    {
        InstanceExit exit;
        try
        {
            exit = await instance.Exited;
        }
        catch (Exception e)
        {
            exit = new InstanceExit(InstanceExitKind.MonitorFault, e.Message);
        }
        _inputs.Writer.TryWrite(new SupervisorInput.Exited(generation, exit));
    }

    private async Task PumpGuestEventsAsync(int generation, IVmInstance instance, CancellationToken cancellationToken)
    {
        // The loop handles an event in microseconds and the link reader bounds frame sizes, so
        // the unbounded queue only grows while the loop is busy in a (bounded) monitor call.
        try
        {
            await foreach (var guestEvent in instance.ReadGuestEventsAsync(cancellationToken))
            {
                _inputs.Writer.TryWrite(new SupervisorInput.Guest(generation, guestEvent));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // A broken link is not an exit: missed heartbeats will show it.
            _log.Warning(e, "Guest link of VM {VmName} failed", Key.Name);
        }
    }

    private void SafeKill(IVmInstance instance)
    {
        try
        {
            instance.Kill();
        }
        catch (Exception e)
        {
            _log.Error(e, "Kill of VM {VmName} failed", Key.Name);
        }
    }

    private async Task DisposeInstanceAsync(IVmInstance instance)
    {
        try
        {
            await instance.DisposeAsync().AsTask().WaitAsync(_options.KillGrace, _time);
        }
        catch (Exception e)
        {
            _log.Error(e, "Disposing VM {VmName}'s instance failed", Key.Name);
        }
    }

    private static string Describe(InstanceExitKind kind) => kind switch
    {
        InstanceExitKind.GuestCrash => "guest crashed",
        InstanceExitKind.TripleFault => "guest triple fault",
        InstanceExitKind.DeviceFault => "device fault",
        InstanceExitKind.MonitorFault => "monitor fault",
        InstanceExitKind.MonitorStopped => "monitor stopped unexpectedly",
        InstanceExitKind.Killed => "killed unexpectedly",
        _ => kind.ToString(),
    };
}
