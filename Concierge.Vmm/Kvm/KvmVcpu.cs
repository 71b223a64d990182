using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Kvm;

/// <summary>
/// A KVM vCPU: its fd, its shared kvm_run page, and the per-vCPU calls. Used by one thread at a
/// time (its vCPU thread), except <see cref="RequestImmediateExit"/>, which any thread may call.
/// </summary>
internal sealed class KvmVcpu : IDisposable
{
    private const int KernelSigsetBytes = 8;
    private readonly KvmVcpuHandle _handle;
    private readonly KvmRunMapping _run;

    public KvmVcpu(int id, KvmVcpuHandle handle, KvmRunMapping run)
    {
        Id = id;
        _handle = handle;
        _run = run;
    }

    /// <summary>The vCPU index, which is also its APIC ID.</summary>
    public int Id { get; }

    /// <summary>
    /// KVM_RUN until the next exit. Returns <see cref="KvmExitReason.Intr"/> when a signal or
    /// immediate_exit interrupted it (EINTR), so the caller can look at its commands.
    /// </summary>
    public KvmExitReason Run()
    {
        if (Libc.Ioctl(_handle, KvmIoctls.Run, 0) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.EIntr or Libc.EAgain)
            {
                return KvmExitReason.Intr;
            }
            KvmException.Throw("KVM_RUN", errno);
        }
        return (KvmExitReason)BinaryPrimitives.ReadUInt32LittleEndian(_run.Bytes[KvmRunLayout.ExitReason..]);
    }

    /// <summary>Sets kvm_run.immediate_exit: while set, KVM_RUN returns EINTR at once instead of entering the guest.</summary>
    public void RequestImmediateExit(bool exit) =>
        Volatile.Write(ref _run.Bytes[KvmRunLayout.ImmediateExit], exit ? (byte)1 : (byte)0);

    /// <summary>The KVM_EXIT_IO details of the last exit.</summary>
    public PortIoExit PortIo
    {
        get
        {
            var page = _run.Bytes;
            return new PortIoExit(
                page[KvmRunLayout.IoDirection] == KvmRunLayout.IoOut,
                BinaryPrimitives.ReadUInt16LittleEndian(page[KvmRunLayout.IoPort..]),
                page[KvmRunLayout.IoSize],
                BinaryPrimitives.ReadUInt32LittleEndian(page[KvmRunLayout.IoCount..]),
                BinaryPrimitives.ReadUInt64LittleEndian(page[KvmRunLayout.IoDataOffset..]));
        }
    }

    /// <summary>The data buffer of a port I/O exit, bounds-checked against the kvm_run mapping.</summary>
    public Span<byte> PortIoData(in PortIoExit exit)
    {
        var length = (ulong)exit.Size * exit.Count;
        if (exit.DataOffset > (ulong)_run.Size || length > (ulong)_run.Size - exit.DataOffset)
        {
            throw new KvmException("KVM_EXIT_IO", $"data at 0x{exit.DataOffset:x}+{length} lies outside kvm_run");
        }
        return _run.Bytes.Slice((int)exit.DataOffset, (int)length);
    }

    /// <summary>The KVM_EXIT_MMIO details of the last exit.</summary>
    public MmioExit Mmio
    {
        get
        {
            var page = _run.Bytes;
            return new MmioExit(
                page[KvmRunLayout.MmioIsWrite] != 0,
                BinaryPrimitives.ReadUInt64LittleEndian(page[KvmRunLayout.MmioPhysAddr..]),
                (int)Math.Min(8u, BinaryPrimitives.ReadUInt32LittleEndian(page[KvmRunLayout.MmioLen..])));
        }
    }

    /// <summary>The up-to-8 data bytes of an MMIO exit (read results go here before the next KVM_RUN).</summary>
    public Span<byte> MmioData => _run.Bytes.Slice(KvmRunLayout.MmioData, 8);

    /// <summary>A 32-bit field of the exit union (suberror, system event type, ...).</summary>
    public uint ExitUnionWord(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_run.Bytes[offset..]);

    /// <summary>A 64-bit field of the exit union (hardware exit reason, ...).</summary>
    public ulong ExitUnionQword(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(_run.Bytes[offset..]);

    public KvmRegs GetRegs()
    {
        var regs = default(KvmRegs);
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.GetRegs, ref regs), "KVM_GET_REGS");
        return regs;
    }

    public void SetRegs(KvmRegs regs) =>
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetRegs, ref regs), "KVM_SET_REGS");

    public KvmSregs GetSregs()
    {
        var sregs = default(KvmSregs);
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.GetSregs, ref sregs), "KVM_GET_SREGS");
        return sregs;
    }

    public void SetSregs(KvmSregs sregs) =>
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetSregs, ref sregs), "KVM_SET_SREGS");

    public void SetFpu(KvmFpu fpu) =>
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetFpu, ref fpu), "KVM_SET_FPU");

    public KvmLapicState GetLapic()
    {
        var lapic = default(KvmLapicState);
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.GetLapic, ref lapic), "KVM_GET_LAPIC");
        return lapic;
    }

    public void SetLapic(KvmLapicState lapic) =>
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetLapic, ref lapic), "KVM_SET_LAPIC");

    /// <summary>KVM_SET_CPUID2: what CPUID returns inside this vCPU. Must precede <see cref="SetMsrs"/>.</summary>
    public void SetCpuid(ReadOnlySpan<KvmCpuidEntry2> entries)
    {
        var buffer = HeadedArray(new KvmCpuid2Header { Nent = (uint)entries.Length }, entries);
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetCpuid2, ref buffer[0]), "KVM_SET_CPUID2");
    }

    /// <summary>KVM_SET_MSRS; fails naming the first MSR KVM refused.</summary>
    public void SetMsrs(ReadOnlySpan<KvmMsrEntry> entries)
    {
        var buffer = HeadedArray(new KvmMsrsHeader { Nmsrs = (uint)entries.Length }, entries);
        var written = KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetMsrs, ref buffer[0]), "KVM_SET_MSRS");
        if (written != entries.Length)
        {
            throw new KvmException("KVM_SET_MSRS", $"KVM refused MSR 0x{entries[written].Index:x} (set {written} of {entries.Length})");
        }
    }

    /// <summary>KVM_SET_SIGNAL_MASK: the signals blocked while this vCPU is inside KVM_RUN (kernel sigset, 64 bits).</summary>
    public void SetSignalMask(ulong blockedWhileRunning)
    {
        var buffer = new byte[sizeof(uint) + KernelSigsetBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, KernelSigsetBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(sizeof(uint)), blockedWhileRunning);
        KvmException.ThrowIfFailed(Libc.Ioctl(_handle, KvmIoctls.SetSignalMask, ref buffer[0]), "KVM_SET_SIGNAL_MASK");
    }

    /// <summary>
    /// KVM_KVMCLOCK_CTRL: marks this vCPU as paused by the host in the guest's kvmclock page, so the
    /// guest's soft-lockup watchdog takes the gap for a pause, not a hang. Call it after the vCPU left
    /// KVM_RUN and before it runs again. Returns false when the guest has not enabled kvmclock
    /// (EINVAL): there is nowhere to tell it, and nothing is wrong.
    /// </summary>
    public bool MarkPausedForGuestClock()
    {
        if (Libc.Ioctl(_handle, KvmIoctls.KvmclockCtrl, 0) == 0)
        {
            return true;
        }
        var errno = Marshal.GetLastPInvokeError();
        if (errno != Libc.EInval)
        {
            KvmException.Throw("KVM_KVMCLOCK_CTRL", errno);
        }
        return false;
    }

    /// <summary>Lays out a kernel variable-length struct: <paramref name="header"/> followed by <paramref name="entries"/>.</summary>
    private static byte[] HeadedArray<THeader, TEntry>(THeader header, ReadOnlySpan<TEntry> entries)
        where THeader : unmanaged
        where TEntry : unmanaged
    {
        var headerSize = Unsafe.SizeOf<THeader>();
        var buffer = new byte[headerSize + entries.Length * Unsafe.SizeOf<TEntry>()];
        MemoryMarshal.Write(buffer, in header);
        MemoryMarshal.AsBytes(entries).CopyTo(buffer.AsSpan(headerSize));
        return buffer;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _run.Dispose();
        _handle.Dispose();
    }
}
