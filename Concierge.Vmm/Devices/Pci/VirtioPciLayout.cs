namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// Where each virtio-pci structure sits in BAR 0 (one 32 KiB memory BAR, like crosvm), and the
/// capability constants that point at them (virtio 1.x, 4.1.4).
/// </summary>
internal static class VirtioPciLayout
{
    public const uint BarSize = 0x8000;
    public const ulong CommonConfig = 0x0000;
    public const uint CommonConfigLength = 0x38;
    public const ulong Isr = 0x1000;
    public const uint IsrLength = 4;
    public const ulong DeviceConfig = 0x2000;
    public const uint DeviceConfigLength = 0x1000;
    public const ulong Notify = 0x3000;
    public const uint NotifyOffsetMultiplier = 4;
    public const ulong MsixTable = 0x4000;
    public const ulong MsixPba = 0x5000;
    public const uint RegionLength = 0x1000;

    public const byte CapabilityVendorSpecific = 0x09;
    public const byte CapabilityMsix = 0x11;
    public const byte CommonConfigType = 1;
    public const byte NotifyConfigType = 2;
    public const byte IsrConfigType = 3;
    public const byte DeviceConfigType = 4;
}
