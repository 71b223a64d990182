using System.Buffers.Binary;

namespace Concierge.Vmm.Devices.Pci;

/// <summary>
/// Configuration mechanism #1: a 32-bit CONFIG_ADDRESS register at 0xCF8 (enable bit 31, bus,
/// device, function, dword register) and a CONFIG_DATA window at 0xCFC-0xCFF. Only bus 0,
/// function 0 exists; everything else reads as all ones. Bus offsets are relative to 0xCF8.
/// </summary>
internal sealed class PciConfigIo : IBusDevice
{
    private const uint EnableBit = 1u << 31;
    private const int DataOffset = 4;

    private readonly PciRootBus _bus;
    private readonly object _lock = new();
    private uint _address;

    public PciConfigIo(PciRootBus bus) => _bus = bus;

    public void Read(ulong offset, Span<byte> data)
    {
        lock (_lock)
        {
            if (offset < DataOffset)
            {
                // Only whole-register reads of CONFIG_ADDRESS are meaningful (Linux's conf1 probe).
                Span<byte> register = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(register, _address);
                data.Fill(0xFF);
                register[(int)offset..][..Math.Min(data.Length, 4 - (int)offset)].CopyTo(data);
                return;
            }
            if (Target(offset, data.Length) is { } target)
            {
                target.Function.ReadConfig(target.Register, data);
            }
            else
            {
                data.Fill(0xFF);
            }
        }
    }

    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            if (offset == 0 && data.Length == 4)
            {
                _address = BinaryPrimitives.ReadUInt32LittleEndian(data);
                return;
            }
            if (offset >= DataOffset && Target(offset, data.Length) is { } target)
            {
                target.Function.WriteConfig(target.Register, data);
            }
        }
    }

    private (IPciFunction Function, int Register)? Target(ulong offset, int length)
    {
        if (offset < DataOffset || offset >= DataOffset + 4 || (_address & EnableBit) == 0)
        {
            return null;
        }
        var bus = (_address >> 16) & 0xFF;
        var device = (int)((_address >> 11) & 0x1F);
        var function = (_address >> 8) & 0x7;
        var register = (int)(_address & 0xFC) + (int)(offset - DataOffset);
        if (bus != 0 || function != 0 || register + length > PciConfigSpace.Size)
        {
            return null;
        }
        return _bus.Function(device) is { } target ? (target, register) : null;
    }
}
