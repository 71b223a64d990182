using Concierge.Service.Supervision;

namespace Concierge.Fuzz.Targets.Service;

/// <summary>Builds no VMs: a start the handlers accept fails in the supervisor, as on a host without KVM.</summary>
internal sealed class RefusingVmFactory : IVmInstanceFactory
{
    public IVmInstance Create(VmLaunch launch) => throw new InvalidOperationException("the fuzz target builds no VMs");
}
