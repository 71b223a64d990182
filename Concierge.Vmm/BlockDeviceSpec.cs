using Concierge.Vmm.Images;

namespace Concierge.Vmm;

/// <summary>A virtio-blk disk of a <see cref="VmSpec"/>.</summary>
/// <param name="Image">The raw disk image; a writable disk needs an image open for writing.</param>
/// <param name="ReadOnly">True when the guest may only read it (it sees VIRTIO_BLK_F_RO).</param>
/// <param name="Serial">What the guest reads as the disk's serial (GET_ID; at most 20 ASCII bytes are kept).</param>
public sealed record BlockDeviceSpec(ImageFile Image, bool ReadOnly, string Serial);
