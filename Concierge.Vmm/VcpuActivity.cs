namespace Concierge.Vmm;

/// <summary>
/// What one vCPU has done so far, for telling why a guest does not come up: how often it left the
/// guest (KVM exits) and the last reason it did. Read while the vCPU runs, so it is a moment's view.
/// </summary>
/// <param name="Id">The vCPU.</param>
/// <param name="Exits">KVM exits so far.</param>
/// <param name="LastExit">The last one in words (e.g. "I/O write to port 0x3f8"); null before the first.</param>
public sealed record VcpuActivity(int Id, long Exits, string? LastExit)
{
    /// <summary>One line: "vcpu0: 1234 exits, the last an I/O write to port 0x3f8".</summary>
    public override string ToString() =>
        LastExit is null ? $"vcpu{Id} never left the guest" : $"vcpu{Id}: {Exits} exits, the last {LastExit}";
}
