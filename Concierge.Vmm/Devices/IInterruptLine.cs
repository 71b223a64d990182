namespace Concierge.Vmm.Devices;

/// <summary>An edge-triggered legacy interrupt line (a GSI of the in-kernel PIC/IOAPIC).</summary>
public interface IInterruptLine
{
    /// <summary>Delivers one interrupt to the guest.</summary>
    void Trigger();
}
