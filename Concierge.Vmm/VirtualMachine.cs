using Concierge.Vmm.Devices.Pci;
using Concierge.Vmm.Devices.Virtio.Vsock;
using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm;

/// <summary>
/// A built VM: start it, read and write its console, pause and resume it, wait for it to end, stop
/// it. One dedicated thread per vCPU runs the guest; whatever ends the VM (guest power-off or
/// reboot, a fault, the host) is reported as a <see cref="VmExit"/>, and a failure ends only this VM.
/// Dispose (or <see cref="DisposeAsync"/>) releases every fd, thread and page it holds.
/// </summary>
public sealed class VirtualMachine : IAsyncDisposable
{
    private readonly VmParts _parts;
    private readonly object _lock = new();
    private readonly SemaphoreSlim _pauseGate = new(1, 1);
    private List<VcpuRunner>? _runners;
    private Task<VmExit>? _exit;
    private bool _paused;
    private bool _disposed;

    internal VirtualMachine(VmParts parts) => _parts = parts;

    /// <summary>What this VM was built from.</summary>
    public VmSpec Spec => _parts.Spec;

    /// <summary>The serial console (COM1).</summary>
    public VmConsole Console => _parts.Console;

    /// <summary>The virtio-vsock device the spec declared (the host listens on it), or null.</summary>
    public VsockDevice? Vsock => _parts.Vsock;

    /// <summary>The virtio devices on the PCI bus in slot order (disks first), with their counters.</summary>
    public IReadOnlyList<VirtioPciDevice> VirtioDevices => _parts.VirtioDevices;

    /// <summary>The exit, once the VM has ended; null while it runs or before it starts.</summary>
    public VmExit? Exit => _exit is { IsCompleted: true } ? _exit.Result : null;

    /// <summary>Whether the vCPUs are paused (<see cref="PauseAsync"/>) and the VM has not ended since.</summary>
    public bool IsPaused => Volatile.Read(ref _paused) && _parts.Latch.Exit is null;

    /// <summary>Each vCPU's exits so far (empty before <see cref="Start"/>): what is known of a guest that does not come up.</summary>
    public IReadOnlyList<VcpuActivity> VcpuActivity
    {
        get
        {
            lock (_lock)
            {
                return _runners?.Select(runner => runner.Activity).ToList() ?? [];
            }
        }
    }

    /// <summary>Starts the vCPU threads. A VM runs once.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_runners is not null)
            {
                throw new InvalidOperationException("the VM was already started");
            }
            var kvmclockCtrl = _parts.Kvm?.CheckExtension(KvmCapability.KvmclockCtrl) > 0;
            var runners = _parts.Vcpus.Select(vcpu => new VcpuRunner(vcpu, _parts.Ports, _parts.Mmio, _parts.Latch, kvmclockCtrl)).ToList();
            _parts.Latch.OnFirstExit(() => runners.ForEach(runner => runner.Post(VcpuCommand.Stop)));
            _exit = Task.WhenAll(runners.Select(runner => runner.Completion))
                .ContinueWith(_ => _parts.Latch.Exit!, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _runners = runners;
            runners.ForEach(runner => runner.Start());
        }
    }

    /// <summary>Completes with the exit once every vCPU thread has stopped.</summary>
    public Task<VmExit> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        var exit = _exit ?? throw new InvalidOperationException("the VM has not been started");
        return exit.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Pauses the guest: kicks every vCPU out of KVM_RUN (the kick a stop uses) and parks its
    /// thread, then pauses the devices that work on threads of their own (virtio workers: each
    /// finishes the pass under way). Completes once every vCPU is out of KVM_RUN and every such
    /// device is idle, so from then on nothing the guest can see changes (no guest code, no queue
    /// processing, no interrupt) until <see cref="ResumeAsync"/>; what the host sends meanwhile (a
    /// vsock peer's data) waits in the device. Where the host has KVM_CAP_KVMCLOCK_CTRL, each
    /// parked vCPU also tells the guest's kvmclock it was paused (so the guest's soft-lockup
    /// watchdog does not fire on resume). Pausing a paused VM succeeds at once (idempotent).
    /// Stopping or disposing a paused VM works as for a running one. A cancelled pause resumes
    /// the vCPUs it had parked.
    /// </summary>
    /// <exception cref="InvalidOperationException">The VM was never started, or it has ended (also: ended while pausing).</exception>
    /// <exception cref="ObjectDisposedException">The VM was disposed.</exception>
    public async Task PauseAsync(CancellationToken cancellationToken = default)
    {
        await _pauseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var runners = RunnersOfLiveVm("pause");
            if (_paused)
            {
                return;
            }
            try
            {
                await Task.WhenAll(runners.Select(runner => runner.PauseAsync())).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                runners.ForEach(runner => runner.Post(VcpuCommand.Resume));
                throw;
            }
            // A vCPU that ended instead of parking ended the VM: say so rather than report a pause.
            RunnersOfLiveVm("pause");
            _parts.PausableDevices.ForEach(device => device.Pause());
            Volatile.Write(ref _paused, true);
        }
        finally
        {
            _pauseGate.Release();
        }
    }

    /// <summary>
    /// Resumes a paused guest: its vCPUs re-enter KVM_RUN where they left off. Resuming a VM that
    /// is not paused succeeds at once (idempotent).
    /// </summary>
    /// <exception cref="InvalidOperationException">The VM was never started, or it has ended.</exception>
    /// <exception cref="ObjectDisposedException">The VM was disposed.</exception>
    public async Task ResumeAsync(CancellationToken cancellationToken = default)
    {
        await _pauseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var runners = RunnersOfLiveVm("resume");
            if (!_paused)
            {
                return;
            }
            _parts.PausableDevices.ForEach(device => device.Resume());
            runners.ForEach(runner => runner.Post(VcpuCommand.Resume));
            Volatile.Write(ref _paused, false);
        }
        finally
        {
            _pauseGate.Release();
        }
    }

    /// <summary>Stops the VM from the host (exit reason <see cref="VmExitReason.HostStop"/> unless it had already ended) and waits for its vCPUs.</summary>
    public async Task<VmExit> StopAsync()
    {
        _parts.Latch.TrySet(new VmExit(VmExitReason.HostStop, "stopped by the host"));
        Task<VmExit>? exit;
        lock (_lock)
        {
            exit = _exit;
        }
        return exit is null ? _parts.Latch.Exit! : await exit.ConfigureAwait(false);
    }

    /// <summary>The vCPU runners of a started VM that has not ended; otherwise throws, saying why it cannot <paramref name="operation"/>.</summary>
    private List<VcpuRunner> RunnersOfLiveVm(string operation)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_runners is null)
            {
                throw new InvalidOperationException($"cannot {operation} the VM: it has not been started");
            }
            if (_parts.Latch.Exit is { } exit)
            {
                throw new InvalidOperationException($"cannot {operation} the VM: it has ended ({exit.Reason}: {exit.Detail})");
            }
            return _runners;
        }
    }

    /// <summary>Stops the VM if it runs, joins its threads and releases everything it holds.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        await StopAsync().ConfigureAwait(false);
        _runners?.ForEach(runner => runner.Join());
        _parts.Dispose();
    }
}
