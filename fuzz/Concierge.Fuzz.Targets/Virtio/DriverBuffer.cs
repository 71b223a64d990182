namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>One buffer of a chain a fuzz target offers: device-readable with its bytes, or device-writable of a length.</summary>
/// <param name="Content">What a readable buffer holds (its length is the buffer's).</param>
/// <param name="WritableLength">The length of a writable buffer.</param>
/// <param name="Writable">Whether the device writes it.</param>
public readonly record struct DriverBuffer(byte[] Content, uint WritableLength, bool Writable)
{
    /// <summary>A device-readable buffer holding <paramref name="content"/>.</summary>
    public static DriverBuffer Out(byte[] content) => new(content, 0, false);

    /// <summary>A device-writable buffer of <paramref name="length"/> bytes.</summary>
    public static DriverBuffer In(uint length) => new([], length, true);

    /// <summary>Bytes the buffer spans.</summary>
    public uint Length => Writable ? WritableLength : (uint)Content.Length;
}
