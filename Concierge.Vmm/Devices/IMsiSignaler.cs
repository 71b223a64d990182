namespace Concierge.Vmm.Devices;

/// <summary>Delivers message-signalled interrupts (MSI/MSI-X) that the guest programmed into a device.</summary>
public interface IMsiSignaler
{
    /// <summary>Signals the MSI with the guest-programmed <paramref name="address"/> and <paramref name="data"/>.</summary>
    void Signal(ulong address, uint data);
}
