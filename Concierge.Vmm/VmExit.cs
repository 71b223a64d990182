namespace Concierge.Vmm;

/// <summary>How a VM ended.</summary>
/// <param name="Reason">The kind of ending.</param>
/// <param name="Detail">A short human-readable account (which vCPU, which exit, which error).</param>
/// <param name="Error">The exception behind a <see cref="VmExitReason.Fault"/>, else null.</param>
public sealed record VmExit(VmExitReason Reason, string Detail, Exception? Error = null);
