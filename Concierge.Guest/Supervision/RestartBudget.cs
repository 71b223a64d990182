namespace Concierge.Guest.Supervision;

/// <summary>
/// The respawn burst limit: at most <see cref="MaxRestarts"/> restarts within any
/// <see cref="Window"/> (maitred: 10 in 30 s). Once spent, the service is given up on.
/// </summary>
internal sealed class RestartBudget
{
    private readonly Queue<DateTimeOffset> _restarts = new();
    private readonly TimeProvider _time;

    public RestartBudget(int maxRestarts, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRestarts);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        MaxRestarts = maxRestarts;
        Window = window;
        _time = time;
    }

    public int MaxRestarts { get; }

    public TimeSpan Window { get; }

    /// <summary>Records a restart if the budget allows one now; false means give up.</summary>
    public bool TryRestart()
    {
        var now = _time.GetUtcNow();
        // Bounded by MaxRestarts: the queue never holds more entries than that.
        while (_restarts.Count > 0 && now - _restarts.Peek() >= Window)
        {
            _restarts.Dequeue();
        }
        if (_restarts.Count >= MaxRestarts)
        {
            return false;
        }
        _restarts.Enqueue(now);
        return true;
    }
}
