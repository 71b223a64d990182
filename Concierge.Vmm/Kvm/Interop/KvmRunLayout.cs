namespace Concierge.Vmm.Kvm.Interop;

/// <summary>
/// Byte offsets inside struct kvm_run, the page KVM shares with user space per vCPU. We read
/// it through these offsets (pinned against kvm.h by tests) rather than mirroring the whole
/// union, since only a few members matter and the guest never writes this page.
/// </summary>
internal static class KvmRunLayout
{
    public const int ImmediateExit = 1;
    public const int ExitReason = 8;

    /// <summary>Start of the exit-reason union.</summary>
    public const int Union = 32;

    // struct { __u64 hardware_exit_reason; } hw / fail_entry
    public const int HardwareReason = Union;

    // struct kvm_io (KVM_EXIT_IO)
    public const int IoDirection = Union;
    public const int IoSize = Union + 1;
    public const int IoPort = Union + 2;
    public const int IoCount = Union + 4;
    public const int IoDataOffset = Union + 8;

    // struct mmio (KVM_EXIT_MMIO)
    public const int MmioPhysAddr = Union;
    public const int MmioData = Union + 8;
    public const int MmioLen = Union + 16;
    public const int MmioIsWrite = Union + 20;

    // struct internal (KVM_EXIT_INTERNAL_ERROR)
    public const int InternalSuberror = Union;

    // struct system_event (KVM_EXIT_SYSTEM_EVENT)
    public const int SystemEventType = Union;

    /// <summary>KVM_EXIT_IO_IN / KVM_EXIT_IO_OUT values of the io direction byte.</summary>
    public const byte IoIn = 0;
    public const byte IoOut = 1;
}
