namespace Concierge.Service.Supervision;

/// <summary>The guest's hello and heartbeats: Starting → Running, healthy ⇄ unresponsive.</summary>
public sealed partial class VmSupervisor
{
    private DateTimeOffset _lastBeat;
    private ulong? _lastSequence;

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
            case GuestHeartbeat beat when _snapshot.State == VmState.Running && _stopStep == StopStep.None:
                _lastBeat = now;
                ArmHealthDeadline();
                var missed = MissedBefore(beat.Sequence);
                // Heartbeats refresh the numbers only; an event is raised when health changes.
                Publish(s => s with
                {
                    Health = VmHealth.Healthy,
                    LastHeartbeatAt = now,
                    GuestVitals = beat.Vitals,
                    HeartbeatsMissed = s.HeartbeatsMissed > ulong.MaxValue - missed ? ulong.MaxValue : s.HeartbeatsMissed + missed,
                });
                break;
            case GuestHello when _snapshot.State == VmState.Running && _stopStep == StopStep.None:
                // The guest's link reconnected; its beats go on numbering where they were.
                _lastBeat = now;
                ArmHealthDeadline();
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

    /// <summary>
    /// How many beats were lost before the one numbered <paramref name="sequence"/>. The first beat
    /// of a run only sets the baseline, and a number that does not grow (the guest's init started
    /// over) sets a new one: neither is evidence of a loss.
    /// </summary>
    private ulong MissedBefore(ulong sequence)
    {
        var last = _lastSequence;
        _lastSequence = sequence;
        return last is { } previous && sequence > previous ? sequence - previous - 1 : 0;
    }

    private void ArmHealthDeadline() => ArmDeadline(DeadlineKind.Health, UnresponsiveAfter);
}
