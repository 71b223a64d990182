namespace Concierge.Vmm.Devices.Virtio;

/// <summary>The device status byte the driver writes during initialisation (virtio 1.x, 2.1).</summary>
[Flags]
public enum VirtioDeviceStatus : byte
{
    /// <summary>Reset state.</summary>
    None = 0,

    /// <summary>The guest noticed the device.</summary>
    Acknowledge = 1,

    /// <summary>The guest has a driver for it.</summary>
    Driver = 2,

    /// <summary>The driver is ready: queues are live.</summary>
    DriverOk = 4,

    /// <summary>Feature negotiation is complete (cleared by the device if it refuses the driver's set).</summary>
    FeaturesOk = 8,

    /// <summary>The device met an error it cannot recover from until the driver resets it.</summary>
    DeviceNeedsReset = 64,

    /// <summary>The driver gave up on the device.</summary>
    Failed = 128,
}
