namespace Concierge.Service.Supervision;

/// <summary>
/// Restart accounting like a process supervisor's start limit: at most <c>burst</c> restarts in
/// a sliding window, each waiting twice as long as the previous one in that window.
/// </summary>
internal sealed class RestartBudget
{
    private readonly Queue<DateTimeOffset> _recent = new();
    private readonly SupervisorOptions _options;

    public RestartBudget(SupervisorOptions options)
    {
        _options = options;
    }

    /// <summary>Takes one restart at <paramref name="now"/>: its delay, or null when the burst is used up.</summary>
    public TimeSpan? TryTake(DateTimeOffset now)
    {
        while (_recent.Count > 0 && now - _recent.Peek() >= _options.RestartWindow)
        {
            _recent.Dequeue();
        }
        if (_recent.Count >= _options.RestartBurst)
        {
            return null;
        }
        var exponent = Math.Min(_recent.Count, 30);
        _recent.Enqueue(now);
        var delay = _options.RestartBaseDelay * Math.Pow(2, exponent);
        return delay < _options.RestartMaxDelay ? delay : _options.RestartMaxDelay;
    }
}
