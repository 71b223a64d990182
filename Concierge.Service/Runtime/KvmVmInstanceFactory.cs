using System.Collections.Concurrent;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Serilog;

namespace Concierge.Service.Runtime;

/// <summary>
/// Makes real VM instances (our KVM monitor plus the guest link) and remembers the live one of
/// each VM, so the API can send guest commands (<see cref="GuestCommandsFor"/>) without
/// reaching into the supervisor.
/// </summary>
public sealed class KvmVmInstanceFactory : IVmInstanceFactory
{
    private readonly VmRuntimeOptions _options;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<VmKey, KvmVmInstance> _live = new();

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
        var instance = new KvmVmInstance(launch, _options, log, Forget);
        // A restart's new instance replaces the old one (which is ending or gone).
        _live[launch.Key] = instance;
        return instance;
    }

    /// <summary>Guest commands (Exec, SetTime) for the VM's current instance; null when it has none.</summary>
    public IGuestCommands? GuestCommandsFor(VmKey key) => _live.TryGetValue(key, out var instance) ? instance : null;

    private void Forget(KvmVmInstance instance) =>
        _live.TryRemove(new KeyValuePair<VmKey, KvmVmInstance>(instance.Launch.Key, instance));
}
