using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Concierge.Fuzz.Targets.Service;

/// <summary>
/// A log sink that keeps the errors the service logs with an exception: that is how a handler
/// reports one it calls unexpected ("internal error"), which hostile input must never cause.
/// (A VM that fails is logged as an error too, without an exception: here every accepted start fails.)
/// </summary>
internal sealed class ErrorTrap : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _errors = new();

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.Level >= LogEventLevel.Error && logEvent.Exception is not null)
        {
            _errors.Enqueue(logEvent);
        }
    }

    /// <summary>Throws a finding for the first error logged since the last call.</summary>
    public void ThrowIfAny()
    {
        if (_errors.TryDequeue(out var error))
        {
            _errors.Clear();
            throw new FuzzFindingException($"the service logged an error: {error.RenderMessage()}", error.Exception!);
        }
    }
}
