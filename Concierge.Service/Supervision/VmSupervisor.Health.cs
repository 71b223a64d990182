namespace Concierge.Service.Supervision;

/// <summary>The guest's hello and heartbeats: Starting → Running, healthy ⇄ unresponsive.</summary>
public sealed partial class VmSupervisor
{
    private DateTimeOffset _lastBeat;

    private TimeSpan UnresponsiveAfter => _definition.HeartbeatInterval * _definition.MissedHeartbeats;

    private void OnGuestEvent(GuestLinkEvent guestEvent)
    {
        var now = _time.GetUtcNow();
        switch (guestEvent)
        {
            case GuestHello hello when _snapshot.State == VmState.Starting && _stopStep == StopStep.None:
                DisarmDeadline(DeadlineKind.Startup);
                _lastBeat = now;
                ArmHealthDeadline();
                Publish(s => s with
                {
                    State = VmState.Running,
                    Health = VmHealth.Healthy,
                    BootDuration = now - _runStartedAt,
                    LastHeartbeatAt = now,
                    KernelVersion = hello.KernelVersion,
                });
                break;
            case GuestHello or GuestHeartbeat when _snapshot.State == VmState.Running && _stopStep == StopStep.None:
                _lastBeat = now;
                ArmHealthDeadline();
                // Heartbeats only refresh the timestamp; an event is raised when health changes.
                Publish(s => s with { Health = VmHealth.Healthy, LastHeartbeatAt = now });
                break;
            default:
                // Heartbeats before the hello, while suspended or stopping: nothing to judge.
                break;
        }
    }

    private void OnHealthDeadline()
    {
        if (_snapshot.State != VmState.Running || _stopStep != StopStep.None || _snapshot.Health == VmHealth.Unresponsive)
        {
            return;
        }
        // Timers run on a coarse monotonic tick, _lastBeat on the wall clock: a deadline can fire a
        // moment before the wall clock says it is due. Without a new beat nothing else would arm
        // it again, and a guest that hung right after its hello would stay "healthy" for good.
        var quiet = _time.GetUtcNow() - _lastBeat;
        if (quiet < UnresponsiveAfter)
        {
            ArmDeadline(DeadlineKind.Health, UnresponsiveAfter - quiet);
            return;
        }
        Publish(s => s with { Health = VmHealth.Unresponsive });
        if (_definition.RestartPolicy == RestartPolicy.OnUnresponsive)
        {
            BeginStop(new PendingStop(VmState.Failed, VmStopReason.Unresponsive,
                $"no heartbeat for {UnresponsiveAfter.TotalSeconds:0.###} s"), StopStep.StoppedMonitor, announce: true);
        }
    }

    private void ArmHealthDeadline() => ArmDeadline(DeadlineKind.Health, UnresponsiveAfter);
}
