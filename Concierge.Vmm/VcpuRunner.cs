using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Concierge.Vmm.Devices;
using Concierge.Vmm.Kvm;
using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm;

/// <summary>
/// One vCPU's dedicated thread: KVM_RUN, dispatch each exit to the device buses, repeat, until a
/// command says stop or the guest ends the VM. Commands arrive over a channel; posting one also
/// kicks the thread out of KVM_RUN (immediate_exit plus <see cref="VcpuKickSignal"/>). A pause
/// parks the thread outside KVM_RUN, blocked on the channel, until resume or stop. Any exception
/// stops this VM (through the exit latch), never the process.
/// </summary>
internal sealed class VcpuRunner
{
    private readonly KvmVcpu _vcpu;
    private readonly DeviceBus _ports;
    private readonly DeviceBus _mmio;
    private readonly VmExitLatch _latch;
    // Whether the host has KVM_CAP_KVMCLOCK_CTRL: a parked vCPU then tells the guest's clock it was paused.
    private readonly bool _kvmclockCtrl;
    private readonly Channel<VcpuCommand> _commands = Channel.CreateUnbounded<VcpuCommand>();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private TaskCompletionSource? _parked;
    private int _threadId;
    // Written only by the vCPU thread, read by anyone (see Activity).
    private long _exits;
    private long _lastExit = VcpuExitRecord.None;

    public VcpuRunner(KvmVcpu vcpu, DeviceBus ports, DeviceBus mmio, VmExitLatch latch, bool kvmclockCtrl)
    {
        _vcpu = vcpu;
        _ports = ports;
        _mmio = mmio;
        _latch = latch;
        _kvmclockCtrl = kvmclockCtrl;
        _thread = new Thread(Run) { IsBackground = true, Name = $"vcpu{vcpu.Id}" };
    }

    /// <summary>Completes when the thread has left its loop.</summary>
    public Task Completion => _completion.Task;

    /// <summary>How often this vCPU left the guest so far, and why it last did.</summary>
    public VcpuActivity Activity => new(_vcpu.Id, Volatile.Read(ref _exits), VcpuExitRecord.Describe(Volatile.Read(ref _lastExit)));

    public void Start() => _thread.Start();

    /// <summary>Posts <paramref name="command"/> and kicks the thread out of KVM_RUN to read it.</summary>
    public void Post(VcpuCommand command)
    {
        _commands.Writer.TryWrite(command);
        // immediate_exit covers a thread about to enter KVM_RUN; the signal one already inside.
        _vcpu.RequestImmediateExit(true);
        var threadId = Volatile.Read(ref _threadId);
        if (threadId != 0)
        {
            VcpuKickSignal.Send(threadId);
        }
    }

    /// <summary>
    /// Posts <see cref="VcpuCommand.Pause"/>; completes once the thread is out of KVM_RUN for good:
    /// parked (after telling the guest's kvmclock, where it can), or ended.
    /// </summary>
    public Task PauseAsync()
    {
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A full fence (as TrySetResult in Run's finally is), so this and Run's finally cannot both miss the other.
        Interlocked.Exchange(ref _parked, parked);
        Post(VcpuCommand.Pause);
        // A thread that has ended never reads the command; Run's finally covers one ending right now.
        if (Completion.IsCompleted)
        {
            parked.TrySetResult();
        }
        return parked.Task;
    }

    /// <summary>Waits for the thread to end (after <see cref="Completion"/>, this returns at once).</summary>
    public void Join() => _thread.Join();

    // The exit path runs once per guest I/O access: compile it optimized from the start.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run()
    {
        try
        {
            _vcpu.SetSignalMask(VcpuKickSignal.BlockOnCurrentThread());
            Volatile.Write(ref _threadId, Libc.GetTid());
            while (KeepRunning())
            {
                var reason = _vcpu.Run();
                Volatile.Write(ref _exits, _exits + 1);
                var exit = HandleExit(reason);
                if (exit is not null)
                {
                    _latch.TrySet(exit);
                    break;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _latch.TrySet(new VmExit(VmExitReason.Fault, $"vcpu{_vcpu.Id}: {e.Message}", e));
        }
        finally
        {
            // Completion first: PauseAsync checks it after publishing its task (see there).
            _completion.TrySetResult();
            Volatile.Read(ref _parked)?.TrySetResult();
        }
    }

    /// <summary>Reads the posted commands (parking on a pause); false when the thread should end.</summary>
    // The exit path runs once per guest I/O access: compile it optimized from the start.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool KeepRunning()
    {
        while (_commands.Reader.TryRead(out var command))
        {
            if (command == VcpuCommand.Stop || (command == VcpuCommand.Pause && !Park()))
            {
                return false;
            }
            // Resume of a running vCPU: nothing to do.
        }
        return _latch.Exit is null;
    }

    /// <summary>
    /// Paused: the thread is out of KVM_RUN, so the guest runs nothing on this vCPU. Tell its
    /// kvmclock, report parked, then block until Resume (true) or Stop (false). A latched exit
    /// posts Stop to every vCPU (see <see cref="VirtualMachine.Start"/>), so stopping a paused VM
    /// wakes this thread too.
    /// </summary>
    private bool Park()
    {
        if (_kvmclockCtrl)
        {
            _vcpu.MarkPausedForGuestClock();
        }
        Volatile.Read(ref _parked)?.TrySetResult();
        while (true)
        {
            // This dedicated thread has nothing else to do while parked, so it blocks on the channel.
            _commands.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult();
            while (_commands.Reader.TryRead(out var command))
            {
                switch (command)
                {
                    case VcpuCommand.Stop:
                        return false;
                    case VcpuCommand.Resume:
                        return _latch.Exit is null;
                    case VcpuCommand.Pause:
                        Volatile.Read(ref _parked)?.TrySetResult();
                        break;
                }
            }
        }
    }

    /// <summary>Handles one exit; returns how the VM ends, or null to keep running.</summary>
    // The exit path runs once per guest I/O access: compile it optimized from the start.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private VmExit? HandleExit(KvmExitReason reason)
    {
        if (reason is not (KvmExitReason.Io or KvmExitReason.Mmio))
        {
            Volatile.Write(ref _lastExit, VcpuExitRecord.Pack(reason, isWrite: false, where: 0));
        }
        switch (reason)
        {
            case KvmExitReason.Io:
                HandlePortIo();
                return null;
            case KvmExitReason.Mmio:
                HandleMmio();
                return null;
            case KvmExitReason.Intr:
                // A kick (or another signal): consume it and clear immediate_exit, then look at the commands.
                VcpuKickSignal.ConsumePending();
                _vcpu.RequestImmediateExit(false);
                return null;
            case KvmExitReason.Hlt:
                return new VmExit(VmExitReason.Shutdown, $"vcpu{_vcpu.Id} halted with interrupts unable to wake it");
            case KvmExitReason.Shutdown:
                return new VmExit(VmExitReason.Shutdown, $"vcpu{_vcpu.Id}: triple fault (KVM_EXIT_SHUTDOWN), {VcpuStateReport.Describe(_vcpu)}");
            case KvmExitReason.InternalError:
                return new VmExit(VmExitReason.InternalError,
                    $"vcpu{_vcpu.Id}: KVM internal error, suberror {_vcpu.ExitUnionWord(KvmRunLayout.InternalSuberror)}");
            case KvmExitReason.FailEntry:
                return new VmExit(VmExitReason.InternalError,
                    $"vcpu{_vcpu.Id}: VM entry failed, hardware reason 0x{_vcpu.ExitUnionQword(KvmRunLayout.HardwareReason):x}");
            case KvmExitReason.SystemEvent:
                return SystemEvent(_vcpu.ExitUnionWord(KvmRunLayout.SystemEventType));
            default:
                return new VmExit(VmExitReason.InternalError, $"vcpu{_vcpu.Id}: unexpected KVM exit {reason} ({(uint)reason})");
        }
    }

    private VmExit SystemEvent(uint type) => type switch
    {
        1 => new VmExit(VmExitReason.PowerOff, $"vcpu{_vcpu.Id}: system event shutdown"),
        2 => new VmExit(VmExitReason.Reboot, $"vcpu{_vcpu.Id}: system event reset"),
        _ => new VmExit(VmExitReason.InternalError, $"vcpu{_vcpu.Id}: system event {type}"),
    };

    // The exit path runs once per guest I/O access: compile it optimized from the start.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HandlePortIo()
    {
        var io = _vcpu.PortIo;
        Volatile.Write(ref _lastExit, VcpuExitRecord.Pack(KvmExitReason.Io, io.IsWrite, io.Port));
        var data = _vcpu.PortIoData(io);
        var found = _ports.TryFind(io.Port, out var device, out var offset);
        for (var i = 0; i < (int)io.Count; i++)
        {
            var item = data.Slice(i * io.Size, io.Size);
            if (!found)
            {
                // Nothing there: reads float high, writes vanish, as on an empty ISA bus.
                if (!io.IsWrite)
                {
                    item.Fill(0xFF);
                }
            }
            else if (io.IsWrite)
            {
                device.Write(offset, item);
            }
            else
            {
                device.Read(offset, item);
            }
        }
    }

    // The exit path runs once per guest I/O access: compile it optimized from the start.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HandleMmio()
    {
        var mmio = _vcpu.Mmio;
        Volatile.Write(ref _lastExit, VcpuExitRecord.Pack(KvmExitReason.Mmio, mmio.IsWrite, mmio.Address));
        var data = _vcpu.MmioData[..mmio.Length];
        if (!_mmio.TryFind(mmio.Address, out var device, out var offset))
        {
            if (!mmio.IsWrite)
            {
                data.Fill(0xFF);
            }
            return;
        }
        if (mmio.IsWrite)
        {
            device.Write(offset, data);
        }
        else
        {
            device.Read(offset, data);
        }
    }
}
