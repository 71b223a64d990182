namespace Concierge.Vmm.Devices;

/// <summary>
/// A device as the vCPU exit loop sees it: reads and writes at an offset inside the range the
/// device was registered at (port I/O or MMIO). Devices never see KVM; they get guest memory and
/// interrupt lines when the VM is built. Called on vCPU threads: an implementation shared by
/// several vCPUs does its own locking, and must not throw for anything the guest can cause.
/// </summary>
public interface IBusDevice
{
    /// <summary>The guest reads <paramref name="data"/>.Length bytes at <paramref name="offset"/>; fill them.</summary>
    void Read(ulong offset, Span<byte> data);

    /// <summary>The guest writes <paramref name="data"/> at <paramref name="offset"/>.</summary>
    void Write(ulong offset, ReadOnlySpan<byte> data);
}
