using System.Buffers.Binary;
using Concierge.Vmm.Images;

namespace Concierge.Vmm.Boot;

/// <summary>
/// Reads and validates a Linux bzImage (Documentation/arch/x86/boot.rst). Everything that can
/// be wrong with a caller's kernel file surfaces here as a <see cref="VmConfigException"/>
/// naming the problem, before any guest memory is written.
/// </summary>
internal static class BzImage
{
    private const int HeaderProbeBytes = 1024;
    private const uint HdrSMagic = 0x5372_6448; // "HdrS"
    private const ushort BootFlag = 0xAA55;
    private const ushort MinimumProtocol = 0x020C; // 2.12: xloadflags, needed for the 64-bit entry
    private const byte LoadedHigh = 0x01;
    private const ushort XlfKernel64 = 0x01;

    /// <summary>Parses the header of the bzImage in <paramref name="image"/>.</summary>
    /// <exception cref="VmConfigException">Not a bzImage we can boot; the message says why.</exception>
    public static BzImageHeader ReadHeader(ImageFile image)
    {
        var name = image.Name;
        var length = image.Length;
        if (length < HeaderProbeBytes)
        {
            throw new VmConfigException($"kernel {name} is truncated: {length} bytes is too short for a bzImage header");
        }
        var probe = new byte[HeaderProbeBytes];
        image.ReadExactly(probe, 0);

        if (BinaryPrimitives.ReadUInt16LittleEndian(probe.AsSpan(0x1FE)) != BootFlag
            || BinaryPrimitives.ReadUInt32LittleEndian(probe.AsSpan(0x202)) != HdrSMagic)
        {
            throw new VmConfigException($"kernel {name} is not a bzImage (no boot flag 0xAA55 and \"HdrS\" magic)");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(probe.AsSpan(0x206));
        if (version < MinimumProtocol)
        {
            throw new VmConfigException(
                $"kernel {name} uses boot protocol {version >> 8}.{version & 0xFF}; 2.12 or newer (64-bit entry) is required");
        }
        if ((probe[0x211] & LoadedHigh) == 0)
        {
            throw new VmConfigException($"kernel {name} is not a bzImage (a zImage does not load high)");
        }
        if ((BinaryPrimitives.ReadUInt16LittleEndian(probe.AsSpan(0x236)) & XlfKernel64) == 0)
        {
            throw new VmConfigException($"kernel {name} has no 64-bit entry point (XLF_KERNEL_64 is clear)");
        }

        var setupSectors = probe[0x1F1] == 0 ? 4 : probe[0x1F1];
        var setupBytes = (setupSectors + 1) * 512L;
        var payloadBytes = length - setupBytes;
        var declaredPayload = BinaryPrimitives.ReadUInt32LittleEndian(probe.AsSpan(0x1F4)) * 16L;
        if (payloadBytes <= 0 || declaredPayload > payloadBytes)
        {
            throw new VmConfigException(
                $"kernel {name} is truncated: its header declares {setupBytes + declaredPayload} bytes, the file has {length}");
        }
        var headerEnd = 0x202 + probe[0x201];
        return new BzImageHeader(
            version,
            setupBytes,
            payloadBytes,
            InitrdAddressMax: BinaryPrimitives.ReadUInt32LittleEndian(probe.AsSpan(0x22C)),
            CommandLineMax: BinaryPrimitives.ReadUInt32LittleEndian(probe.AsSpan(0x238)),
            PreferredAddress: BinaryPrimitives.ReadUInt64LittleEndian(probe.AsSpan(0x258)),
            InitSize: BinaryPrimitives.ReadUInt32LittleEndian(probe.AsSpan(0x260)),
            SetupHeader: probe[BzImageHeader.SetupHeaderOffset..headerEnd]);
    }
}
