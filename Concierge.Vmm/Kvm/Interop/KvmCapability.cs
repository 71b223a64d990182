namespace Concierge.Vmm.Kvm.Interop;

/// <summary>The KVM_CAP_* extensions the monitor relies on (checked with KVM_CHECK_EXTENSION).</summary>
internal enum KvmCapability
{
    Irqchip = 0,
    UserMemory = 3,
    SetTssAddr = 4,
    ExtCpuid = 7,
    NrVcpus = 9,
    NrMemslots = 10,
    Irqfd = 32,
    Pit2 = 33,
    Ioeventfd = 36,
    SetIdentityMapAddr = 37,
    MaxVcpus = 66,
    TscDeadlineTimer = 72,
    KvmclockCtrl = 76,
    SignalMsi = 77,
    ImmediateExit = 136,
}
