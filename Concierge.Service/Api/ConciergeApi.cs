using Concierge.Service.Errors;
using Concierge.Service.Logging;
using Concierge.Service.Naming;
using Concierge.Service.Registry;
using Concierge.Service.Runtime;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;

namespace Concierge.Service.Api;

/// <summary>
/// What a caller may do, in one place for both D-Bus faces: the owner of everything a caller makes
/// is its uid; a non-root caller sees and touches only its own VMs and disks (another user's VM
/// looks exactly like a missing one); images are authorized by <see cref="VmDefinitionBuilder"/>.
/// </summary>
public sealed class ConciergeApi
{
    /// <summary>Most console bytes one read returns.</summary>
    public const int MaxConsoleBytes = 1 << 20;

    private readonly VmManager _vms;
    private readonly DiskImageStore _disks;
    private readonly VmDefinitionBuilder _definitions;
    private readonly StorageLayout _layout;
    /// <summary>Creates the API over the service's parts.</summary>
    public ConciergeApi(VmManager vms, DiskImageStore disks, VmDefinitionBuilder definitions, StorageLayout layout)
    {
        _vms = vms;
        _disks = disks;
        _definitions = definitions;
        _layout = layout;
    }

    /// <summary>The VMs.</summary>
    public VmManager Vms => _vms;

    /// <summary>
    /// The owner a request names: empty means the caller; another owner only for root, otherwise
    /// <see cref="CallerAccessDeniedException"/>.
    /// </summary>
    public static uint Owner(Caller caller, string? ownerId, string field)
    {
        if (string.IsNullOrEmpty(ownerId))
        {
            return caller.Uid;
        }
        var owner = OwnerIds.Parse(ownerId, field);
        if (!caller.MayActFor(owner))
        {
            throw new CallerAccessDeniedException($"{field} {ownerId} is not the caller (uid {caller.Uid}); only root may act for another user");
        }
        return owner;
    }

    /// <summary>Starts (or returns the active) VM <paramref name="name"/> of <paramref name="owner"/>.</summary>
    public VmView Start(Caller caller, uint owner, string? name, VmStartRequest request, out bool started)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            RequireActFor(caller, owner);
            var key = VmKey.Create(owner, name);
            if (request.AsksNothing && _vms.Find(key) is { IsActive: true } active)
            {
                // A VM of passed fds stores no images to make a new definition from: asked for
                // nothing, an active one is answered as it runs.
                started = false;
                return active;
            }
            var passed = PassedImages.Take(request.KernelFd, request.InitrdFd, request.RootfsFd, [.. request.Disks.Select(d => (d.Fd, d.Writable))]);
            return _vms.Start(key, stored => _definitions.Build(caller, request, stored), passed, out started);
        }
        catch
        {
            // Nothing was handed to a run: close what the caller passed (closing twice is harmless).
            foreach (var fd in request.PassedFds)
            {
                fd.Dispose();
            }
            throw;
        }
    }

    /// <summary>The VM, or <see cref="VmNotFoundException"/> when the caller has none by that key.</summary>
    public VmView Get(Caller caller, VmKey key)
    {
        if (!caller.MayAccess(key) || _vms.Find(key) is not { } view)
        {
            throw new VmNotFoundException(key);
        }
        return view;
    }

    /// <summary>The caller's VMs; root sees <paramref name="owner"/>'s, or every VM when null.</summary>
    public IReadOnlyList<VmView> List(Caller caller, uint? owner) =>
        _vms.List(caller.IsRoot ? owner : caller.Uid);

    /// <summary>Stops the VM; false when it was not active.</summary>
    public Task<bool> StopAsync(Caller caller, VmKey key, VmStopReason reason = VmStopReason.StopRequested)
    {
        Get(caller, key);
        return _vms.StopAsync(key, reason);
    }

    /// <summary>Kills the VM; false when it was not active.</summary>
    public Task<bool> KillAsync(Caller caller, VmKey key)
    {
        Get(caller, key);
        return _vms.KillAsync(key);
    }

    /// <summary>Stops the caller's VMs (root: every VM).</summary>
    public Task StopAllAsync(Caller caller) =>
        _vms.StopAllAsync(VmStopReason.StopAllRequested, caller.IsRoot ? null : caller.Uid);

    /// <summary>
    /// Pauses a running VM; <see cref="InvalidVmStateException"/> when it is not running, and
    /// <see cref="VmOperationException"/> when the monitor failed (the VM still runs).
    /// </summary>
    public async Task SuspendAsync(Caller caller, VmKey key)
    {
        var view = Get(caller, key);
        Require(await _vms.SuspendAsync(key).ConfigureAwait(false), key, "suspend",
            $"VM {key.Name} is {Describe(view)}, not running; only a running VM can be suspended");
    }

    /// <summary>
    /// Resumes a suspended VM; <see cref="InvalidVmStateException"/> when it is not suspended, and
    /// <see cref="VmOperationException"/> when the monitor failed (the VM stays suspended).
    /// </summary>
    public async Task ResumeAsync(Caller caller, VmKey key)
    {
        var view = Get(caller, key);
        Require(await _vms.ResumeAsync(key).ConfigureAwait(false), key, "resume",
            $"VM {key.Name} is {Describe(view)}, not suspended; only a suspended VM can be resumed");
    }

    private static void Require(PauseOutcome outcome, VmKey key, string operation, string wrongState)
    {
        switch (outcome.Result)
        {
            case PauseResult.WrongState:
                throw new InvalidVmStateException(wrongState);
            case PauseResult.MonitorFailed:
                throw new VmOperationException($"could not {operation} VM {key.Name}: {outcome.MonitorError}");
        }
    }

    /// <summary>The tail of the VM's console log (at most <paramref name="maxBytes"/>, capped at 1 MiB).</summary>
    public string ReadConsole(Caller caller, VmKey key, int maxBytes)
    {
        Get(caller, key);
        // D-Bus strings cannot hold NUL; a guest may write anything to its console.
        return ConsoleLog.ReadTail(_layout.ConsoleLogPath(key.Owner, key.Name), Math.Clamp(maxBytes, 0, MaxConsoleBytes))
            .Replace('\0', '\uFFFD');
    }

    /// <summary>
    /// Runs <paramref name="argv"/> in the running VM's container and waits for it: exit code (128 +
    /// signal when killed by one), stdout and stderr as the guest kept them.
    /// </summary>
    public async Task<(int ExitCode, byte[] Stdout, byte[] Stderr)> ExecAsync(Caller caller, VmKey key, IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        var view = Get(caller, key);
        var commands = _vms.RunningGuest(key);
        if (commands is null)
        {
            throw new InvalidVmStateException($"VM {key.Name} is {Describe(view)}, not running; Exec needs a running guest");
        }
        var request = new GuestExecRequest(argv);
        try
        {
            request.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidRequestException("argv", e.Message);
        }
        GuestExecResult result;
        try
        {
            result = await commands.ExecAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (GuestLinkUnavailableException e)
        {
            throw new InvalidVmStateException($"VM {key.Name} has no guest link: {e.Message}");
        }
        return result.Status switch
        {
            GuestExecStatus.Exited => (result.Code, result.Stdout, result.Stderr),
            GuestExecStatus.Signaled => (128 + result.Code, result.Stdout, result.Stderr),
            _ => throw new GuestCommandException($"the guest could not run {argv[0]}: {result.Error}"),
        };
    }

    /// <summary>Creates the disk image of VM <paramref name="name"/> of <paramref name="owner"/>, or reports the existing one.</summary>
    public DiskCreateResult CreateDisk(Caller caller, uint owner, string? name, ulong sizeBytes)
    {
        RequireActFor(caller, owner);
        return _disks.Create(owner, VmNames.Validate(name, "vm_name"), sizeBytes);
    }

    /// <summary>
    /// Destroys the VM's disk image and forgets the VM (stopping it first, reason
    /// DESTROY_DISK_IMAGE_REQUESTED); false when there was neither image nor VM.
    /// </summary>
    public async Task<bool> DestroyDiskAsync(Caller caller, uint owner, string? name)
    {
        RequireActFor(caller, owner);
        var key = VmKey.Create(owner, VmNames.Validate(name, "vm_name"));
        var forgot = await _vms.ForgetAsync(key, VmStopReason.DestroyDiskImageRequested).ConfigureAwait(false);
        return _disks.Destroy(owner, key.Name) || forgot;
    }

    /// <summary>The disk images of <paramref name="owner"/>.</summary>
    public IReadOnlyList<DiskImageInfo> ListDisks(Caller caller, uint owner)
    {
        RequireActFor(caller, owner);
        return _disks.List(owner);
    }

    private static void RequireActFor(Caller caller, uint owner)
    {
        if (!caller.MayActFor(owner))
        {
            throw new CallerAccessDeniedException($"uid {caller.Uid} may not act for owner {owner}");
        }
    }

    private static string Describe(VmView view) => view.Status.State.ToString().ToLowerInvariant();
}
