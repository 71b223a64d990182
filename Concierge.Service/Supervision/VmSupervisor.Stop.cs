namespace Concierge.Service.Supervision;

/// <summary>Stop escalation: ask the guest, wait; stop the monitor, wait; kill, wait; abandon.</summary>
public sealed partial class VmSupervisor
{
    private StopStep _stopStep;
    private PendingStop _pendingStop;

    private void OnStopRequested(SupervisorInput.Stop stop)
    {
        _stopWaiters.Add(stop.Done);
        if (_stopStep == StopStep.None)
        {
            // Only a running guest has a link to hear a shutdown request.
            var first = stop.Kill ? StopStep.Killed
                : _snapshot.State == VmState.Running ? StopStep.AskedGuest
                : StopStep.StoppedMonitor;
            BeginStop(new PendingStop(VmState.Stopped, stop.Reason, null), first, announce: true);
        }
        else if (stop.Kill && _stopStep is not StopStep.Killed)
        {
            _pendingStop = _pendingStop with { Reason = stop.Reason };
            EscalateTo(StopStep.Killed);
        }
    }

    /// <summary>
    /// Starts taking the instance down. <paramref name="announce"/> publishes Stopping (a stop
    /// someone asked for); a failure teardown goes straight to its final state instead.
    /// </summary>
    private void BeginStop(PendingStop pending, StopStep first, bool announce)
    {
        _pendingStop = pending;
        DisarmDeadline(DeadlineKind.Startup);
        DisarmDeadline(DeadlineKind.Health);
        if (announce)
        {
            Publish(s => s with { State = VmState.Stopping });
        }
        EscalateTo(first);
    }

    /// <summary>The current step's grace ran out (or its call failed): take the next one.</summary>
    private void Escalate()
    {
        switch (_stopStep)
        {
            case StopStep.AskedGuest:
                _log.Warning("VM {VmName} ignored the shutdown request for {Grace}; stopping the monitor", Key.Name, _options.GuestShutdownGrace);
                EscalateTo(StopStep.StoppedMonitor);
                break;
            case StopStep.StoppedMonitor:
                _log.Warning("VM {VmName}'s monitor did not stop within {Grace}; killing it", Key.Name, _options.MonitorStopGrace);
                EscalateTo(StopStep.Killed);
                break;
            case StopStep.Killed:
                _log.Error("VM {VmName} did not exit within {Grace} of being killed; abandoning it", Key.Name, _options.KillGrace);
                _outcome = Conclude(VmState.Failed, _pendingStop.Reason, "the VM did not exit after being killed; abandoned");
                break;
        }
    }

    private void EscalateTo(StopStep step)
    {
        _stopStep = step;
        // Each deadline is armed before its call, so the grace is measured from the request.
        if (step == StopStep.AskedGuest)
        {
            ArmDeadline(DeadlineKind.StopStep, _options.GuestShutdownGrace);
            _ = CallInstanceAsync("guest shutdown", i => i.RequestGuestShutdownAsync(CancellationToken.None));
        }
        else if (step == StopStep.StoppedMonitor)
        {
            ArmDeadline(DeadlineKind.StopStep, _options.MonitorStopGrace);
            _ = CallInstanceAsync("monitor stop", i => i.StopMonitorAsync(CancellationToken.None));
        }
        else
        {
            ArmDeadline(DeadlineKind.StopStep, _options.KillGrace);
            if (_instance is { } instance)
            {
                SafeKill(instance);
            }
        }
    }

    /// <summary>Runs one escalation call; if it throws, the next step is taken at once.</summary>
    private async Task CallInstanceAsync(string what, Func<IVmInstance, Task> call)
    {
        var instance = _instance;
        var sequence = _deadlineSequence[(int)DeadlineKind.StopStep];
        if (instance is null)
        {
            return;
        }
        try
        {
            await call(instance);
        }
        catch (Exception e)
        {
            _log.Warning(e, "The {Step} of VM {VmName} failed; escalating", what, Key.Name);
            _inputs.Writer.TryWrite(new SupervisorInput.Deadline(DeadlineKind.StopStep, sequence));
        }
    }
}
