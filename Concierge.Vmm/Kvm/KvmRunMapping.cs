using System.Runtime.InteropServices;
using Concierge.Vmm.Kvm.Interop;

namespace Concierge.Vmm.Kvm;

/// <summary>The mmap of a vCPU's struct kvm_run page(s); unmapped when released.</summary>
internal sealed class KvmRunMapping : SafeHandle
{
    private KvmRunMapping(nint address, int size) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(address);
        Size = size;
    }

    /// <summary>Length of the mapping in bytes.</summary>
    public int Size { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero || handle == Libc.MapFailed;

    /// <summary>Maps the kvm_run area of <paramref name="vcpu"/>.</summary>
    public static KvmRunMapping Map(KvmVcpuHandle vcpu, int size)
    {
        var address = Libc.Mmap(IntPtr.Zero, (nuint)size, Libc.ProtRead | Libc.ProtWrite, Libc.MapShared, vcpu, 0);
        if (address == Libc.MapFailed)
        {
            KvmException.Throw("mmap of kvm_run", Marshal.GetLastPInvokeError());
        }
        return new KvmRunMapping(address, size);
    }

    /// <summary>The whole shared area. Valid while this mapping is alive (the vCPU owns it).</summary>
    public Span<byte> Bytes
    {
        get
        {
            unsafe
            {
                // SAFETY: handle is a live mapping of Size bytes; the owning KvmVcpu disposes it only
                // after its thread has stopped using the span.
                return new Span<byte>((void*)handle, Size);
            }
        }
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Libc.Munmap(handle, (nuint)Size) == 0;
}
