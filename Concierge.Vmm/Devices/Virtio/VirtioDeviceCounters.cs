namespace Concierge.Vmm.Devices.Virtio;

/// <summary>
/// How much work a device has done since it was created, for benchmarks and diagnostics: where
/// the time of a data path goes (wake-ups per request, interrupts per wake-up).
/// </summary>
/// <param name="Notifications">Kicks relayed through <see cref="VirtioDevice.Notify"/> (relay threads, MMIO doorbell exits); kicks on the worker's direct doorbell wake it uncounted.</param>
/// <param name="Passes">Worker passes over the queues (each follows one or more coalesced wake-ups).</param>
/// <param name="Chains">Descriptor chains completed (returned to the driver as used).</param>
/// <param name="Interrupts">Queue interrupts sent to the driver (after event-index suppression).</param>
public readonly record struct VirtioDeviceCounters(long Notifications, long Passes, long Chains, long Interrupts);
