namespace Concierge.Vmm;

/// <summary>Why a VM stopped running.</summary>
public enum VmExitReason
{
    /// <summary>The guest powered itself off (ACPI S5, e.g. <c>poweroff -f</c>).</summary>
    PowerOff,

    /// <summary>The guest asked for a reset (i8042 reset line, e.g. <c>reboot -f</c> or a panic with <c>panic=-1</c>).</summary>
    Reboot,

    /// <summary>A vCPU hit a triple fault (KVM_EXIT_SHUTDOWN) or halted for good.</summary>
    Shutdown,

    /// <summary>KVM could not continue running a vCPU (internal error, failed VM entry, unexpected exit).</summary>
    InternalError,

    /// <summary>The host stopped the VM (<see cref="VirtualMachine.StopAsync"/>).</summary>
    HostStop,

    /// <summary>The monitor failed: a device found the guest misbehaving or a KVM call failed. See <see cref="VmExit.Error"/>.</summary>
    Fault,
}
