namespace Concierge.Vmm.Boot;

/// <summary>The 8-bit checksum MP and ACPI tables carry: all bytes of a table sum to zero.</summary>
internal static class ByteChecksum
{
    /// <summary>The byte that makes <paramref name="bytes"/> (whose checksum byte is still 0) sum to zero.</summary>
    public static byte Of(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (var b in bytes)
        {
            sum += b;
        }
        return (byte)-sum;
    }
}
