namespace Concierge.Vmm.Devices;

/// <summary>
/// A device that works on threads of its own (a virtio worker) and so could change what the guest
/// sees while its vCPUs are parked. <see cref="VirtualMachine.PauseAsync"/> pauses it after the
/// vCPUs and <see cref="VirtualMachine.ResumeAsync"/> resumes it before them.
/// </summary>
public interface IPausableDevice
{
    /// <summary>Returns once the device touches neither guest memory nor interrupts; what arrives meanwhile waits.</summary>
    void Pause();

    /// <summary>Goes on with what waited, then as before.</summary>
    void Resume();
}
