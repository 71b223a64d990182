using System.Runtime.CompilerServices;
using Concierge.GuestLink.Protocol;
using Concierge.Service.Logging;
using Concierge.Service.Supervision;
using Concierge.Vmm;
using Serilog;

namespace Concierge.Service.Runtime;

/// <summary>
/// One run of a real VM: its lifecycle and guest link. The monitor is built from the run's
/// <see cref="VmPlan"/> (which declares the devices), its serial console goes to the VM's rotating
/// console log, and the guest init's host link listens on the VM's vsock at port 7777. Whatever ends the monitor ends only this instance
/// and is reported once through <see cref="Exited"/>; <see cref="IGuestCommands"/> sends Exec and
/// SetTime to the guest.
/// </summary>
internal sealed class KvmVmInstance : IVmInstance, IGuestCommands
{
    private readonly VmLaunch _launch;
    private readonly VmRuntimeOptions _options;
    private readonly ILogger _log;
    private readonly TaskCompletionSource<InstanceExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private VirtualMachine? _vm;
    private GuestLinkServer? _link;
    private ConsoleLog? _console;
    private bool _started;
    private volatile bool _killed;

    public KvmVmInstance(VmLaunch launch, VmRuntimeOptions options, ILogger log)
    {
        _launch = launch;
        _options = options;
        _log = log;
    }

    /// <summary>Which VM this runs.</summary>
    public VmLaunch Launch => _launch;

    public Task<InstanceExit> Exited => _exited.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_started)
            {
                throw new InvalidOperationException("a VM instance runs once");
            }
            _started = true;
        }
        try
        {
            var plan = VmPlan.Create(_launch, _options);
            _log.Information("Building VM: kernel {Kernel}, initrd {Initrd}, rootfs {Rootfs}, {Vcpus} vCPUs, {MemoryMiB} MiB, command line {CommandLine}",
                plan.Kernel.Name, plan.Initrd?.Name, plan.Rootfs?.Name, plan.Vcpus, plan.MemoryMiB, plan.CommandLine);
            _console = new ConsoleLog(_launch.ConsoleLogPath);
            // Opening and building in one task: a start cancelled before it runs has opened nothing.
            var vm = await Task.Run(() => new VmBuilder(plan.OpenSpec()).Build(), cancellationToken);
            _link = new GuestLinkServer(vm.Vsock!.Listen(_options.LinkPort), _options.MaxFrameBytes, _log);
            vm.Console.LineReceived += WriteConsoleLine;
            lock (_lock)
            {
                _vm = vm;
                if (_killed)
                {
                    throw new OperationCanceledException("the instance was killed while it started");
                }
            }
            _link.Start();
            vm.Start();
            _ = FinishAsync(vm);
        }
        catch (Exception e)
        {
            await AbandonStartAsync(e);
            throw;
        }
    }

    public Task RequestGuestShutdownAsync(CancellationToken cancellationToken) =>
        RequireLink().SendAsync(new HostMessage { Shutdown = new Shutdown() }, cancellationToken);

    public async Task StopMonitorAsync(CancellationToken cancellationToken)
    {
        var vm = CurrentVm();
        if (vm is null)
        {
            _exited.TrySetResult(new InstanceExit(InstanceExitKind.MonitorStopped, "stopped before the monitor started"));
            return;
        }
        await vm.StopAsync().WaitAsync(cancellationToken);
    }

    public void Kill()
    {
        _killed = true;
        var vm = CurrentVm();
        if (vm is null)
        {
            _exited.TrySetResult(new InstanceExit(InstanceExitKind.Killed, "killed before the monitor started"));
            return;
        }
        // The vCPU threads leave KVM_RUN at once when kicked; FinishAsync reports the exit.
        _ = vm.StopAsync();
    }

    /// <summary>Parks every vCPU outside KVM_RUN (see <see cref="VirtualMachine.PauseAsync"/>); devices and the host link stay up.</summary>
    public Task PauseAsync(CancellationToken cancellationToken) => RequireVm("pause").PauseAsync(cancellationToken);

    /// <summary>Lets the parked vCPUs run the guest again.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken) => RequireVm("resume").ResumeAsync(cancellationToken);

    public string DescribeProgress() =>
        CurrentVm() is { } vm ? StartupReport.Describe(vm.Console.RecentOutput, vm.VcpuActivity) : "the monitor was not running yet";

    public async IAsyncEnumerable<GuestLinkEvent> ReadGuestEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var link = _link;
        if (link is null)
        {
            yield break;
        }
        await foreach (var guestEvent in link.Events.ReadAllAsync(cancellationToken))
        {
            yield return guestEvent;
        }
    }

    public async Task<GuestExecResult> ExecAsync(GuestExecRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        var link = RequireLink();
        var timeout = request.Timeout ?? _options.DefaultExecTimeout;
        var limit = request.OutputLimitBytes ?? _options.DefaultExecOutputLimitBytes;
        var exec = new Exec
        {
            RequestId = link.NextRequestId(),
            TimeoutMs = (uint)Math.Ceiling(timeout.TotalMilliseconds),
            OutputLimitBytes = (uint)limit,
        };
        exec.Argv.Add(request.Argv);
        foreach (var (name, value) in request.Environment)
        {
            exec.Env[name] = value;
        }
        var reply = await link.RequestAsync(new HostMessage { Exec = exec }, exec.RequestId, GuestMessage.KindOneofCase.ExecResult,
            timeout + _options.ReplyGrace, cancellationToken);
        return ToResult(reply.ExecResult, limit);
    }

    public async Task SetTimeAsync(DateTimeOffset time, CancellationToken cancellationToken)
    {
        var link = RequireLink();
        var request = new SetTime
        {
            RequestId = link.NextRequestId(),
            UnixTimeNs = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100,
        };
        var reply = await link.RequestAsync(new HostMessage { SetTime = request }, request.RequestId, GuestMessage.KindOneofCase.SetTimeResult,
            _options.ReplyGrace, cancellationToken);
        if (!reply.SetTimeResult.Success)
        {
            throw new GuestCommandException($"the guest could not set its clock: {Bounded(reply.SetTimeResult.Error)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _exited.Task;
    }

    private async Task FinishAsync(VirtualMachine vm)
    {
        InstanceExit exit;
        try
        {
            exit = VmExitTranslation.Translate(await vm.WaitForExitAsync(), _killed);
        }
        catch (Exception e)
        {
            exit = new InstanceExit(InstanceExitKind.MonitorFault, $"waiting for the monitor failed: {e.Message}");
        }
        _log.Information("VM monitor ended: {ExitKind} ({ExitDetail})", exit.Kind, exit.Detail);
        await ReleaseAsync(vm);
        _exited.TrySetResult(exit);
    }

    /// <summary>A start that failed releases what it made and reports the failure as the exit.</summary>
    private async Task AbandonStartAsync(Exception error)
    {
        _log.Warning(error, "VM failed to start");
        var kind = error is OperationCanceledException && _killed ? InstanceExitKind.Killed : InstanceExitKind.MonitorFault;
        var vm = CurrentVm();
        if (vm is not null)
        {
            await vm.StopAsync();
        }
        await ReleaseAsync(vm);
        _exited.TrySetResult(new InstanceExit(kind, $"the monitor failed to start: {error.Message}"));
    }

    private async Task ReleaseAsync(VirtualMachine? vm)
    {
        try
        {
            if (_link is not null)
            {
                await _link.DisposeAsync();
            }
            if (vm is not null)
            {
                vm.Console.LineReceived -= WriteConsoleLine;
                await vm.DisposeAsync();
            }
        }
        catch (Exception e)
        {
            // Releasing must not keep the exit from being reported; the fds go with the process at worst.
            _log.Error(e, "Releasing the VM failed");
        }
        finally
        {
            _console?.Dispose();
        }
    }

    private void WriteConsoleLine(string line)
    {
        try
        {
            _console?.Write(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            // A full disk loses console output, not the VM.
        }
    }

    private VirtualMachine? CurrentVm()
    {
        lock (_lock)
        {
            return _vm;
        }
    }

    private VirtualMachine RequireVm(string operation) =>
        CurrentVm() ?? throw new InvalidOperationException($"cannot {operation} the VM: its monitor is not running");

    private GuestLinkServer RequireLink() =>
        _link is { } link && !_exited.Task.IsCompleted ? link : throw new GuestLinkUnavailableException("the VM is not running");

    private static GuestExecResult ToResult(ExecResult reply, int limit) =>
        new(reply.Status switch
        {
            ProcessStatus.Exited => GuestExecStatus.Exited,
            ProcessStatus.Signaled => GuestExecStatus.Signaled,
            ProcessStatus.Failed => GuestExecStatus.Failed,
            _ => GuestExecStatus.Unknown,
        }, reply.Code, Cap(reply.Stdout, limit), Cap(reply.Stderr, limit))
        {
            // The guest is not trusted to honour the limit: the host cuts again.
            StdoutTruncated = reply.StdoutTruncated || reply.Stdout.Length > limit,
            StderrTruncated = reply.StderrTruncated || reply.Stderr.Length > limit,
            TimedOut = reply.TimedOut,
            Error = Bounded(reply.Error),
        };

    private static byte[] Cap(Google.Protobuf.ByteString bytes, int limit) =>
        bytes.Length > limit ? bytes.Span[..limit].ToArray() : bytes.ToByteArray();

    private static string Bounded(string text) => text.Length > 1024 ? text[..1024] : text;
}
