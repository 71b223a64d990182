using Concierge.Service.Supervision;
using Serilog;

namespace Concierge.Service.Runtime;

/// <summary>Makes real VM instances: our KVM monitor plus the guest link.</summary>
public sealed class KvmVmInstanceFactory : IVmInstanceFactory
{
    private readonly VmRuntimeOptions _options;
    private readonly ILogger _log;

    /// <summary>Creates the factory.</summary>
    /// <param name="options">Where the built-in guest lives, link port, Exec defaults.</param>
    /// <param name="log">The service's logger; instances log with the VM's name, owner and CID.</param>
    public KvmVmInstanceFactory(VmRuntimeOptions options, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        _options = options;
        _log = log;
    }

    /// <inheritdoc />
    public IVmInstance Create(VmLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var log = _log.ForContext("VmName", launch.Key.Name).ForContext("Owner", launch.Key.Owner)
            .ForContext("Cid", launch.Cid).ForContext("Attempt", launch.Attempt);
        return new KvmVmInstance(launch, _options, log);
    }
}
