namespace Concierge.Service.Supervision;

/// <summary>A command to run in a guest.</summary>
/// <param name="Argv">Program and arguments (the program is looked up in PATH).</param>
public sealed record GuestExecRequest(IReadOnlyList<string> Argv)
{
    /// <summary>Most arguments accepted.</summary>
    public const int MaxArguments = 1024;

    /// <summary>Most bytes of arguments and environment together.</summary>
    public const int MaxCommandBytes = 128 * 1024;

    /// <summary>Largest output limit a caller may ask for (the guest's own cap).</summary>
    public const int MaxOutputLimitBytes = 1 << 20;

    /// <summary>Extra environment entries.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Kill the command after this long; null for the service's default.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Bytes of stdout and of stderr to keep; null for the service's default.</summary>
    public int? OutputLimitBytes { get; init; }

    /// <summary>Checks the request against the limits above.</summary>
    /// <exception cref="ArgumentException">Something is empty, too big or out of range.</exception>
    public void Validate()
    {
        if (Argv is null || Argv.Count == 0 || string.IsNullOrEmpty(Argv[0]))
        {
            throw new ArgumentException("an Exec needs a program to run", nameof(Argv));
        }
        if (Argv.Count > MaxArguments)
        {
            throw new ArgumentException($"at most {MaxArguments} arguments", nameof(Argv));
        }
        var bytes = Argv.Sum(a => (long)(a?.Length ?? 0)) + Environment.Sum(e => (long)e.Key.Length + e.Value.Length);
        if (bytes > MaxCommandBytes)
        {
            throw new ArgumentException($"arguments and environment exceed {MaxCommandBytes} bytes", nameof(Argv));
        }
        if (Argv.Any(a => a is null || a.Contains('\0', StringComparison.Ordinal))
            || Environment.Any(e => e.Key.Length == 0 || e.Key.Contains('=', StringComparison.Ordinal) || e.Key.Contains('\0', StringComparison.Ordinal) || e.Value.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException("arguments and environment must be non-null strings without NULs (names without '=')", nameof(Argv));
        }
        if (Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout.TotalMilliseconds > uint.MaxValue))
        {
            throw new ArgumentException("the timeout must be positive and below 49 days", nameof(Timeout));
        }
        if (OutputLimitBytes is { } limit && limit is < 1 or > MaxOutputLimitBytes)
        {
            throw new ArgumentException($"the output limit must be within 1..{MaxOutputLimitBytes} bytes", nameof(OutputLimitBytes));
        }
    }
}
