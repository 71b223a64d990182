using Concierge.Service.Api;
using Concierge.Service.DBus.Objects;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;
using Google.Protobuf;
using Serilog;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus;

/// <summary>
/// Puts the API on a connection: the root object (Chrome OS face, Manager, ObjectManager), one
/// object per registered VM that only its owner and root can see, and turns every VM transition
/// into the Chrome OS signal of that step and a PropertiesChanged of what changed, sent to the
/// VM's owner and root only.
/// </summary>
public sealed class ServiceObjects : IDisposable
{
    private readonly ConciergeApi _api;
    private readonly ObjectTree _tree = new(VmObjectPaths.Root);
    private readonly BusPeers _peers;
    private readonly OwnerSignals _signals;
    private readonly DBusConnection _connection;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<VmKey, Dictionary<string, VariantValue>> _announced = [];

    private ServiceObjects(DBusConnection connection, BusPeers peers, ConciergeApi api, ILogger log)
    {
        _connection = connection;
        _peers = peers;
        _api = api;
        _log = log;
        _signals = new OwnerSignals(connection, peers, VmObjectPaths.Root);
    }

    /// <summary>Serves everything on <paramref name="connection"/> and follows the VMs from now on.</summary>
    public static async Task<ServiceObjects> ServeAsync(DBusConnection connection, ConciergeApi api, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(log);
        log = log.ForContext<ServiceObjects>();
        var peers = await BusPeers.StartAsync(connection, log).ConfigureAwait(false);
        var objects = new ServiceObjects(connection, peers, api, log);
        objects._tree.Add(new ServedObject(VmObjectPaths.Root, null, [new ChromeOsInterface(api, log), new ManagerInterface(api, log)]));
        api.Vms.Registered += objects.OnRegistered;
        api.Vms.Forgotten += objects.OnForgotten;
        api.Vms.Transitioned += objects.OnTransitioned;
        foreach (var view in api.Vms.List())
        {
            objects.OnRegistered(objects, view);
        }
        connection.AddMethodHandler(new CallDispatcher(objects._tree, peers, log));
        return objects;
    }

    /// <summary>Stops following the VMs and the bus.</summary>
    public void Dispose()
    {
        _api.Vms.Registered -= OnRegistered;
        _api.Vms.Forgotten -= OnForgotten;
        _api.Vms.Transitioned -= OnTransitioned;
        _connection.RemoveMethodHandler(VmObjectPaths.Root);
        _peers.Dispose();
    }

    private void OnRegistered(object? sender, VmView view)
    {
        // Raised under VmManager's lock. The InterfacesAdded snapshot reads the new VM's properties
        // back through VmManager.Find on this same thread, which its (reentrant) lock allows; nothing
        // here waits on another thread.
        lock (_lock)
        {
            if (_announced.ContainsKey(view.Key))
            {
                return;
            }
            _announced[view.Key] = VmProperties.Announced(view);
            var served = new ServedObject(VmObjectPaths.For(view.Key), view.Key.Owner, [new VmInterface(view.Key, _api, _log)]);
            _tree.Add(served);
            _signals.InterfacesAdded(view.Key.Owner, served);
        }
    }

    private void OnForgotten(object? sender, VmKey key)
    {
        lock (_lock)
        {
            _announced.Remove(key);
            if (_tree.Remove(VmObjectPaths.For(key)) is { } removed)
            {
                _signals.InterfacesRemoved(key.Owner, removed);
            }
        }
    }

    private void OnTransitioned(object? sender, VmChange change)
    {
        EmitChromeOsSignal(change);
        EmitPropertiesChanged(change.View);
    }

    private void EmitPropertiesChanged(VmView view)
    {
        // Transitions of one VM come one at a time from its supervisor, so no older view can
        // overtake a newer one here.
        var now = VmProperties.Announced(view);
        lock (_lock)
        {
            if (!_announced.TryGetValue(view.Key, out var before))
            {
                return;
            }
            var changed = now.Where(p => !before.TryGetValue(p.Key, out var old) || !old.Equals(p.Value)).ToList();
            _announced[view.Key] = now;
            if (changed.Count > 0)
            {
                _signals.PropertiesChanged(view.Key.Owner, VmObjectPaths.For(view.Key), VmInterface.InterfaceName, changed);
            }
        }
    }

    private void EmitChromeOsSignal(VmChange change)
    {
        if (ChromeOsMessages.Signal(change.Transition, change.View) is { } signal)
        {
            var payload = signal.Payload.ToByteArray();
            _signals.Emit(change.View.Key.Owner, VmObjectPaths.Root, ChromeOsInterface.InterfaceName, signal.Member, "ay",
                (ref MessageWriter w) => w.WriteArray(payload));
        }
    }
}
