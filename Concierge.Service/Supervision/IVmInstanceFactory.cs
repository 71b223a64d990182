namespace Concierge.Service.Supervision;

/// <summary>Makes VM instances; the real one builds a KVM monitor, tests use a fake.</summary>
public interface IVmInstanceFactory
{
    /// <summary>A new, not yet started instance for <paramref name="launch"/>.</summary>
    IVmInstance Create(VmLaunch launch);
}
