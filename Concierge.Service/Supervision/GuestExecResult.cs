namespace Concierge.Service.Supervision;

/// <summary>The outcome of a guest command.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Code">Exit status, or signal number when <see cref="GuestExecStatus.Signaled"/>.</param>
/// <param name="Stdout">Its standard output, at most the requested limit.</param>
/// <param name="Stderr">Its standard error, at most the requested limit.</param>
public sealed record GuestExecResult(GuestExecStatus Status, int Code, byte[] Stdout, byte[] Stderr)
{
    /// <summary>True when stdout was longer than the limit.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>True when stderr was longer than the limit.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>True when the guest killed it at the timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>Why it could not start (with <see cref="GuestExecStatus.Failed"/>), else empty.</summary>
    public string Error { get; init; } = "";
}
