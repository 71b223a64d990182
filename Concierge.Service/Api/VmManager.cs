using Concierge.Service.Errors;
using Concierge.Service.Registry;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;
using Serilog;

namespace Concierge.Service.Api;

/// <summary>
/// The service's VMs: the registry joined with one supervisor per started VM, CIDs, console log
/// paths and passed images. Both D-Bus faces call only this type; it knows nothing of D-Bus or of
/// callers (authorization happens before). Thread-safe; events are raised on supervisor loops.
/// </summary>
public sealed partial class VmManager : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<VmKey, ManagedVm> _runs = [];
    private readonly CidAllocator _cids = new();
    private readonly VmRegistry _registry;
    private readonly StorageLayout _layout;
    private readonly IVmInstanceFactory _factory;
    private readonly SupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private volatile bool _shuttingDown;

    /// <summary>Creates the manager over an opened (reconciled) registry.</summary>
    public VmManager(VmRegistry registry, StorageLayout layout, IVmInstanceFactory factory,
        SupervisorOptions options, TimeProvider time, ILogger log)
    {
        _registry = registry;
        _layout = layout;
        _factory = factory;
        _options = options;
        _time = time;
        _log = log.ForContext<VmManager>();
    }

    /// <summary>A VM's state or health changed (raised on its supervisor's loop, in order), with its view after the change.</summary>
    public event EventHandler<VmChange>? Transitioned;

    /// <summary>A VM entered the registry, with its view as its first run starts (raised under the manager's lock: listeners must not call back).</summary>
    public event EventHandler<VmView>? Registered;

    /// <summary>A VM left the registry.</summary>
    public event EventHandler<VmKey>? Forgotten;

    /// <summary>True once <see cref="StopEverythingAsync"/> began: new starts are refused.</summary>
    public bool IsShuttingDown => _shuttingDown;

    /// <summary>VMs with an active run (starting, running, stopping, suspended, or restarting).</summary>
    public int ActiveCount
    {
        get
        {
            lock (_lock)
            {
                return _runs.Values.Count(r => r.IsActive);
            }
        }
    }

    /// <summary>The VM <paramref name="key"/>, or null when the registry does not know it.</summary>
    public VmView? Find(VmKey key)
    {
        lock (_lock)
        {
            return _registry.Find(key) is { } record ? View(record) : null;
        }
    }

    /// <summary>Every VM, or those of <paramref name="owner"/>, by owner then name.</summary>
    public IReadOnlyList<VmView> List(uint? owner = null)
    {
        lock (_lock)
        {
            return [.. _registry.List(owner).Select(View)];
        }
    }

    /// <summary>
    /// Starts <paramref name="key"/> with the definition <paramref name="define"/> makes from the
    /// stored one, taking ownership of <paramref name="passedImages"/>: a run it starts keeps them.
    /// The definition is made, and so validated, even for a VM that is already active: such a VM
    /// is returned as it is (<paramref name="started"/> false, the images closed) when the request
    /// asks for what it already runs with, and refused with <see cref="InvalidVmStateException"/>
    /// when it asks for something else, since a silently ignored option (another kernel, more
    /// memory) would look applied to the caller.
    /// </summary>
    public VmView Start(VmKey key, Func<VmDefinition?, VmDefinition> define, PassedImages? passedImages, out bool started)
    {
        ArgumentNullException.ThrowIfNull(define);
        try
        {
            // The definition (path checks against the caller's rights included) is made before the
            // lock: it is the caller's alone, whatever another start of this VM does meanwhile.
            var definition = define(_registry.Find(key)?.Definition);
            lock (_lock)
            {
                if (_shuttingDown)
                {
                    throw new ServiceShuttingDownException();
                }
                var stored = _registry.Find(key);
                if (_runs.TryGetValue(key, out var current) && current.IsActive)
                {
                    var view = View(stored!);
                    if (!definition.SameAs(current.Supervisor.Definition))
                    {
                        throw new InvalidVmStateException(
                            $"VM {key.Name} is active ({view.Status.State.ToString().ToLowerInvariant()}) with other options; stop it to start it with these");
                    }
                    started = false;
                    return view;
                }
                var cid = _cids.Allocate();
                _layout.LogDirectory(key.Owner, create: true);
                _registry.Put(new VmRecord { Owner = key.Owner, Name = key.Name, Definition = definition, State = VmState.Starting, Cid = cid });
                var supervisor = new VmSupervisor(key, cid, definition, _layout.ConsoleLogPath(key.Owner, key.Name),
                    _factory, _options, _time, _log) { PassedImages = passedImages };
                var run = new ManagedVm(supervisor, passedImages);
                passedImages = null;
                supervisor.Transitioned += OnTransitioned;
                _runs[key] = run;
                supervisor.Start();
                var starting = View(_registry.Find(key)!);
                if (stored is null)
                {
                    // Raised under the lock, before any other request can see or forget the VM;
                    // listeners get the view and never call back in.
                    Registered?.Invoke(this, starting);
                }
                _ = ReleaseWhenDoneAsync(key, run);
                started = true;
                _log.Information("VM {VmName} of {Owner} starting with cid {Cid}", key.Name, key.Owner, cid);
                return starting;
            }
        }
        finally
        {
            // Images not handed to a run (refused, failed validation) are closed here.
            passedImages?.Dispose();
        }
    }

    private VmView View(VmRecord record)
    {
        if (_runs.TryGetValue(record.Key, out var run))
        {
            var supervisor = run.Supervisor;
            return new VmView(record.Key, record.Definition, run.IsActive ? supervisor.Cid : null, supervisor.Snapshot);
        }
        return new VmView(record.Key, record.Definition, null, new VmStatusSnapshot
        {
            State = record.State,
            StopReason = record.StopReason,
            FailureReason = record.FailureReason,
        });
    }

    private void OnTransitioned(object? sender, VmTransition transition)
    {
        var current = transition.Current;
        var active = current.State is not (VmState.Stopped or VmState.Failed) || current.RestartDelay is not null;
        _registry.Update(transition.Key, r => r with
        {
            State = current.State,
            StopReason = current.StopReason,
            FailureReason = current.FailureReason,
            Cid = active ? transition.Cid : null,
        });
        var supervisor = (VmSupervisor)sender!;
        var view = new VmView(transition.Key, supervisor.Definition, active ? transition.Cid : null, current);
        Transitioned?.Invoke(this, new VmChange(transition, view));
    }

    private async Task ReleaseWhenDoneAsync(VmKey key, ManagedVm run)
    {
        await run.Supervisor.Completion.ConfigureAwait(false);
        lock (_lock)
        {
            if (run.Release())
            {
                _cids.Release(run.Supervisor.Cid);
            }
        }
        _log.Debug("VM {VmName} of {Owner} released cid {Cid}", key.Name, key.Owner, run.Supervisor.Cid);
    }
}
