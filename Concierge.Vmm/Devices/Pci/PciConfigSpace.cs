using System.Buffers.Binary;

namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// The 256-byte type-0 configuration header of one PCI function, with a per-byte write mask so
/// read-only fields stay read-only and BAR sizing (write all ones, read back the size mask)
/// falls out of the mask. Thread-safe: vCPUs reach it both through 0xCF8/0xCFC and, for BAR
/// decoding, through MMIO.
/// </summary>
public sealed class PciConfigSpace
{
    /// <summary>Bytes of the configuration space (conventional PCI).</summary>
    public const int Size = 256;

    /// <summary>Command register bit: the function decodes its memory BARs.</summary>
    public const ushort CommandMemorySpace = 1 << 1;

    private const int VendorIdOffset = 0x00;
    private const int DeviceIdOffset = 0x02;
    private const int CommandOffset = 0x04;
    private const int StatusOffset = 0x06;
    private const int RevisionOffset = 0x08;
    private const int ClassCodeOffset = 0x09;
    private const int HeaderTypeOffset = 0x0E;
    private const int FirstBarOffset = 0x10;
    private const int SubsystemVendorOffset = 0x2C;
    private const int SubsystemIdOffset = 0x2E;
    private const int CapabilitiesPointerOffset = 0x34;
    private const int InterruptLineOffset = 0x3C;
    private const int FirstCapabilityOffset = 0x40;
    private const ushort StatusCapabilitiesList = 1 << 4;
    private const ushort CommandWritable = CommandMemorySpace | (1 << 2) /* bus master */ | (1 << 10) /* INTx disable */;
    private const int BarCount = 6;

    private readonly object _lock = new();
    private readonly byte[] _bytes = new byte[Size];
    private readonly byte[] _writeMask = new byte[Size];
    private readonly uint[] _barSizes = new uint[BarCount];
    private int _nextCapability = FirstCapabilityOffset;
    private int _lastCapability;

    /// <summary>Creates a type-0 header with the given identity; <paramref name="classCode"/> is class, subclass, prog-if (24 bits).</summary>
    public PciConfigSpace(ushort vendorId, ushort deviceId, uint classCode, byte revision, ushort subsystemVendorId, ushort subsystemId)
    {
        var span = _bytes.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span[VendorIdOffset..], vendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(span[DeviceIdOffset..], deviceId);
        span[RevisionOffset] = revision;
        span[ClassCodeOffset] = (byte)classCode;
        span[ClassCodeOffset + 1] = (byte)(classCode >> 8);
        span[ClassCodeOffset + 2] = (byte)(classCode >> 16);
        span[HeaderTypeOffset] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(span[SubsystemVendorOffset..], subsystemVendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(span[SubsystemIdOffset..], subsystemId);
        BinaryPrimitives.WriteUInt16LittleEndian(_writeMask.AsSpan(CommandOffset), CommandWritable);
        _writeMask[InterruptLineOffset] = 0xFF;
    }

    /// <summary>The command register.</summary>
    public ushort Command
    {
        get
        {
            lock (_lock)
            {
                return BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(CommandOffset));
            }
        }
    }

    /// <summary>
    /// Declares BAR <paramref name="index"/> as a 32-bit non-prefetchable memory BAR of
    /// <paramref name="size"/> bytes (a power of two, at least 16) placed at <paramref name="address"/>.
    /// </summary>
    public void AddMemoryBar(int index, uint size, uint address)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BarCount);
        if (size < 16 || (size & (size - 1)) != 0 || address % size != 0)
        {
            throw new ArgumentException($"BAR size 0x{size:x} must be a power of two >= 16 and address 0x{address:x} aligned to it");
        }
        lock (_lock)
        {
            _barSizes[index] = size;
            var offset = FirstBarOffset + (4 * index);
            BinaryPrimitives.WriteUInt32LittleEndian(_bytes.AsSpan(offset), address);
            // Address bits above the size are writable; the low type bits (0: 32-bit memory) are not.
            BinaryPrimitives.WriteUInt32LittleEndian(_writeMask.AsSpan(offset), ~(size - 1) & ~0xFu);
        }
    }

    /// <summary>
    /// Appends a capability: <paramref name="body"/> is everything after the ID and next-pointer
    /// bytes; <paramref name="bodyWriteMask"/> (same length, or empty for read-only) marks guest-writable bits.
    /// Returns the capability's offset.
    /// </summary>
    public int AddCapability(byte id, ReadOnlySpan<byte> body, ReadOnlySpan<byte> bodyWriteMask)
    {
        var length = 2 + body.Length;
        lock (_lock)
        {
            var offset = _nextCapability;
            if (offset + length > Size)
            {
                throw new InvalidOperationException("PCI capabilities do not fit in the configuration space");
            }
            _bytes[offset] = id;
            _bytes[offset + 1] = 0;
            body.CopyTo(_bytes.AsSpan(offset + 2));
            bodyWriteMask.CopyTo(_writeMask.AsSpan(offset + 2));
            if (_lastCapability == 0)
            {
                _bytes[CapabilitiesPointerOffset] = (byte)offset;
                var status = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(StatusOffset)) | StatusCapabilitiesList);
                BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(StatusOffset), status);
            }
            else
            {
                _bytes[_lastCapability + 1] = (byte)offset;
            }
            _lastCapability = offset;
            _nextCapability = (offset + length + 3) & ~3;
            return offset;
        }
    }

    /// <summary>Reads configuration bytes; bytes past the end read as 0xFF.</summary>
    public void Read(int offset, Span<byte> data)
    {
        data.Fill(0xFF);
        if (offset < 0 || offset >= Size)
        {
            return;
        }
        lock (_lock)
        {
            var available = _bytes.AsSpan(offset);
            available[..Math.Min(available.Length, data.Length)].CopyTo(data);
        }
    }

    /// <summary>Writes configuration bytes through the write mask; read-only bits keep their value.</summary>
    public void Write(int offset, ReadOnlySpan<byte> data)
    {
        if (offset < 0)
        {
            return;
        }
        lock (_lock)
        {
            for (var i = 0; i < data.Length && offset + i < Size; i++)
            {
                var mask = _writeMask[offset + i];
                _bytes[offset + i] = (byte)((_bytes[offset + i] & ~mask) | (data[i] & mask));
            }
        }
    }

    /// <summary>
    /// Whether a memory access at [<paramref name="address"/>, +<paramref name="length"/>) hits one
    /// of this function's BARs while memory decoding is on; gives the BAR and the offset in it.
    /// </summary>
    public bool TryDecode(ulong address, int length, out int bar, out ulong offset)
    {
        lock (_lock)
        {
            if ((BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(CommandOffset)) & CommandMemorySpace) != 0)
            {
                for (bar = 0; bar < BarCount; bar++)
                {
                    var size = _barSizes[bar];
                    if (size == 0)
                    {
                        continue;
                    }
                    var start = BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(FirstBarOffset + (4 * bar))) & ~(size - 1);
                    if (address >= start && address - start < size && (ulong)length <= size - (address - start))
                    {
                        offset = address - start;
                        return true;
                    }
                }
            }
        }
        bar = -1;
        offset = 0;
        return false;
    }
}
