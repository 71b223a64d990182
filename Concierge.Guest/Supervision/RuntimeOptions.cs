namespace Concierge.Guest.Supervision;

/// <summary>What differs between the init as PID 1 in a VM and the "supervise" command outside one.</summary>
internal sealed record RuntimeOptions
{
    /// <summary>PID 1 signals every process at shutdown; otherwise only its own children.</summary>
    public bool IsPid1 { get; init; }

    /// <summary>Where the container spec and pid files go.</summary>
    public string RunDirectory { get; init; } = "/run/concierge";

    /// <summary>"vsock:CID:PORT" or "unix:PATH"; null for no host link.</summary>
    public string? HostLink { get; init; }

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);
}
