namespace Concierge.Service.Supervision;

/// <summary>How a VM's monitor ended.</summary>
public enum InstanceExitKind
{
    /// <summary>The guest powered off (ACPI S5 or the i8042 reset path): a clean exit.</summary>
    PowerOff,

    /// <summary>The monitor stopped because the host asked it to (StopMonitor).</summary>
    MonitorStopped,

    /// <summary>The host killed it.</summary>
    Killed,

    /// <summary>The guest kernel panicked or its init died.</summary>
    GuestCrash,

    /// <summary>A vCPU triple-faulted (shutdown exit with no power-off requested).</summary>
    TripleFault,

    /// <summary>A device found guest nonsense it could not recover from.</summary>
    DeviceFault,

    /// <summary>The monitor itself failed (KVM error, vCPU thread died).</summary>
    MonitorFault,
}
