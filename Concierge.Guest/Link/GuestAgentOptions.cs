namespace Concierge.Guest.Link;

/// <summary>How the agent runs the host's commands.</summary>
internal sealed record GuestAgentOptions
{
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Default Exec timeout when the request gives none.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Default per-stream output limit when the request gives none.</summary>
    public int OutputLimitBytes { get; init; } = 64 * 1024;

    /// <summary>Environment every command starts with (the request's entries come after).</summary>
    public IReadOnlyList<string> BaseEnvironment { get; init; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    /// <summary>
    /// Turns the requested argv (and its extra environment) into what is spawned: the
    /// identity to run it directly in the guest, or the container launcher's "exec" stage.
    /// Throws InvalidOperationException when the command cannot run now (no container).
    /// </summary>
    public Func<IReadOnlyList<string>, IReadOnlyList<string>, IReadOnlyList<string>> WrapExec { get; init; } = (argv, _) => argv;
}
