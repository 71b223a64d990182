namespace Concierge.Vmm.Boot;

/// <summary>The setup-header fields of a bzImage that the loader uses, validated by <see cref="BzImage"/>.</summary>
/// <param name="ProtocolVersion">Boot protocol version, e.g. 0x020F for 2.15.</param>
/// <param name="SetupBytes">Bytes before the protected-mode kernel: (setup_sects + 1) * 512.</param>
/// <param name="PayloadBytes">Length of the protected-mode kernel.</param>
/// <param name="InitrdAddressMax">Highest address the initrd may occupy (initrd_addr_max).</param>
/// <param name="CommandLineMax">Longest command line the kernel accepts, without the NUL (cmdline_size).</param>
/// <param name="PreferredAddress">Where a relocatable kernel decompresses itself (pref_address).</param>
/// <param name="InitSize">Memory the kernel needs from its decompression address on (init_size).</param>
/// <param name="SetupHeader">The raw setup header, copied into the zero page at offset 0x1F1.</param>
internal sealed record BzImageHeader(
    ushort ProtocolVersion,
    long SetupBytes,
    long PayloadBytes,
    uint InitrdAddressMax,
    uint CommandLineMax,
    ulong PreferredAddress,
    uint InitSize,
    byte[] SetupHeader)
{
    /// <summary>Offset of the setup header inside both the image and the zero page.</summary>
    public const int SetupHeaderOffset = 0x1F1;

    /// <summary>Offset of the 64-bit entry point from the start of the protected-mode kernel.</summary>
    public const ulong Entry64Offset = 0x200;
}
