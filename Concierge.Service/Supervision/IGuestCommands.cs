namespace Concierge.Service.Supervision;

/// <summary>
/// Commands the host sends to a running guest over its host link. Every VM instance takes them;
/// the API reaches a VM's through its supervisor (<see cref="VmSupervisor.RunningGuest"/>).
/// Every method fails with <see cref="GuestLinkUnavailableException"/> when the guest is not
/// connected (not booted yet, gone, or its link dropped while waiting).
/// </summary>
public interface IGuestCommands
{
    /// <summary>Runs a command in the guest's container (in the guest itself when it has none) and waits for it.</summary>
    Task<GuestExecResult> ExecAsync(GuestExecRequest request, CancellationToken cancellationToken);

    /// <summary>Sets the guest's realtime clock.</summary>
    /// <exception cref="GuestCommandException">The guest could not set it.</exception>
    Task SetTimeAsync(DateTimeOffset time, CancellationToken cancellationToken);
}
