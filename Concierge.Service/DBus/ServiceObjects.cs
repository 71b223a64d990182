using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.Service.Api;
using Concierge.Service.Naming;
using Concierge.Service.Protocol;
using Concierge.Service.Registry;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;
using Google.Protobuf;
using Serilog;

namespace Concierge.Service.DBus;

/// <summary>
/// Puts the API on a connection: the root object (Chrome OS face, Manager, ObjectManager), one
/// object per registered VM, and turns every VM transition into the Chrome OS signal of that
/// step and a PropertiesChanged of what changed.
/// </summary>
public sealed class ServiceObjects : IDisposable
{
    private readonly DBusConnection _connection;
    private readonly ConciergeApi _api;
    private readonly CallerResolver _callers = new();
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<VmKey, Dictionary<string, Variant>> _announced = [];

    /// <summary>Registers everything on <paramref name="connection"/> and follows the VMs from now on.</summary>
    public ServiceObjects(DBusConnection connection, ConciergeApi api, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(api);
        _connection = connection;
        _api = api;
        _log = log.ForContext<ServiceObjects>();
        connection.AddObjectManager(new ObjectPath(VmObjectPaths.Root));
        connection.RegisterObject(new DBusObject(new ObjectPath(VmObjectPaths.Root),
            new ChromeOsInterface(api, _callers, _log), new ManagerInterface(api, _callers, _log)));
        api.Vms.Registered += OnRegistered;
        api.Vms.Forgotten += OnForgotten;
        api.Vms.Transitioned += OnTransitioned;
        foreach (var view in api.Vms.List())
        {
            OnRegistered(this, view);
        }
    }

    /// <summary>Stops following the VMs.</summary>
    public void Dispose()
    {
        _api.Vms.Registered -= OnRegistered;
        _api.Vms.Forgotten -= OnForgotten;
        _api.Vms.Transitioned -= OnTransitioned;
    }

    private void OnRegistered(object? sender, VmView view)
    {
        // Raised under VmManager's lock: everything needed comes with the view, nothing calls back.
        lock (_lock)
        {
            if (_announced.ContainsKey(view.Key))
            {
                return;
            }
            _announced[view.Key] = VmProperties.Announced(view);
            _connection.RegisterObject(new DBusObject(VmObjectPaths.For(view.Key), new VmInterface(view.Key, _api, _callers, _log)));
        }
    }

    private void OnForgotten(object? sender, VmKey key)
    {
        lock (_lock)
        {
            _announced.Remove(key);
            _connection.UnregisterObject(VmObjectPaths.For(key));
        }
    }

    private void OnTransitioned(object? sender, VmChange change)
    {
        try
        {
            EmitChromeOsSignal(change);
            EmitPropertiesChanged(change.View);
        }
        catch (DBusConnectionClosedException e)
        {
            _log.Warning("Signal for VM {VmName} not sent: {Reason}", change.View.Key.Name, e.Message);
        }
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
            var changed = now.Where(p => !Equals(before.GetValueOrDefault(p.Key)?.Value, p.Value.Value)).ToList();
            _announced[view.Key] = now;
            if (changed.Count > 0)
            {
                _connection.EmitPropertiesChanged(VmObjectPaths.For(view.Key), VmInterface.InterfaceName, changed);
            }
        }
    }

    private void EmitChromeOsSignal(VmChange change)
    {
        if (ChromeOsMessages.Signal(change.Transition, change.View) is { } signal)
        {
            var body = new MessageWriter();
            body.WriteByteArray(signal.Payload.ToByteArray());
            _connection.SendSignal(VmObjectPaths.Root, ChromeOsInterface.InterfaceName, signal.Member, "ay", body);
        }
    }
}
