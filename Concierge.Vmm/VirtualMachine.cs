namespace Concierge.Vmm;

/// <summary>
/// A built VM: start it, read and write its console, wait for it to end, stop it. One dedicated
/// thread per vCPU runs the guest; whatever ends the VM (guest power-off or reboot, a fault, the
/// host) is reported as a <see cref="VmExit"/>, and a failure ends only this VM.
/// Dispose (or <see cref="DisposeAsync"/>) releases every fd, thread and page it holds.
/// </summary>
public sealed class VirtualMachine : IAsyncDisposable
{
    private readonly VmParts _parts;
    private readonly object _lock = new();
    private List<VcpuRunner>? _runners;
    private Task<VmExit>? _exit;
    private bool _disposed;

    internal VirtualMachine(VmParts parts) => _parts = parts;

    /// <summary>What this VM was built from.</summary>
    public VmSpec Spec => _parts.Spec;

    /// <summary>The serial console (COM1).</summary>
    public VmConsole Console => _parts.Console;

    /// <summary>The exit, once the VM has ended; null while it runs or before it starts.</summary>
    public VmExit? Exit => _exit is { IsCompleted: true } ? _exit.Result : null;

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
            var runners = _parts.Vcpus.Select(vcpu => new VcpuRunner(vcpu, _parts.Ports, _parts.Mmio, _parts.Latch)).ToList();
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
