namespace Concierge.Service.Supervision;

/// <summary>One-shot timers on the supervisor's time source; a fired timer only posts an input.</summary>
public sealed partial class VmSupervisor
{
    private readonly ITimer?[] _deadlines = new ITimer?[3];
    private readonly long[] _deadlineSequence = new long[3];

    private void ArmDeadline(DeadlineKind kind, TimeSpan due)
    {
        DisarmDeadline(kind);
        var sequence = ++_deadlineSequence[(int)kind];
        _deadlines[(int)kind] = _time.CreateTimer(
            _ => _inputs.Writer.TryWrite(new SupervisorInput.Deadline(kind, sequence)),
            null, due, Timeout.InfiniteTimeSpan);
    }

    private void DisarmDeadline(DeadlineKind kind)
    {
        // A bumped sequence makes a firing that is already queued stale.
        _deadlineSequence[(int)kind]++;
        _deadlines[(int)kind]?.Dispose();
        _deadlines[(int)kind] = null;
    }

    private void DisarmAll()
    {
        foreach (var kind in Enum.GetValues<DeadlineKind>())
        {
            DisarmDeadline(kind);
        }
    }

    private bool IsCurrent(SupervisorInput.Deadline deadline) =>
        deadline.Sequence == _deadlineSequence[(int)deadline.Kind];
}
