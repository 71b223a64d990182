namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>A chain the device put in the used ring.</summary>
/// <param name="Head">The head the driver made available in that slot (the device consumes in order).</param>
/// <param name="UsedHead">The head the device's used entry names.</param>
/// <param name="Written">The byte count of the used entry.</param>
/// <param name="WritableBytes">What the chain's device-writable buffers hold.</param>
/// <param name="Bytes">What the device wrote, at most the chain's writable bytes.</param>
public sealed record CompletedChain(ushort Head, ushort UsedHead, uint Written, uint WritableBytes, byte[] Bytes);
