using System.Buffers.Binary;
using Concierge.Vmm.Devices.Pci;

namespace Concierge.Tests.Vmm.Devices.Pci;

/// <summary>
/// Plays the guest's side of the PCI bus through the same bus devices a vCPU exit would reach:
/// configuration mechanism #1 ports and the MMIO window.
/// </summary>
public sealed class PciGuest(PciRootBus bus)
{
    public uint ConfigRead32(int slot, int register) => BinaryPrimitives.ReadUInt32LittleEndian(ConfigRead(slot, register, 4));

    public ushort ConfigRead16(int slot, int register) => BinaryPrimitives.ReadUInt16LittleEndian(ConfigRead(slot, register, 2));

    public byte ConfigRead8(int slot, int register) => ConfigRead(slot, register, 1)[0];

    public void ConfigWrite32(int slot, int register, uint value)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        ConfigWrite(slot, register, data);
    }

    public void ConfigWrite16(int slot, int register, ushort value)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(data, value);
        ConfigWrite(slot, register, data);
    }

    public byte[] ConfigRead(int slot, int register, int length)
    {
        SelectRegister(slot, register);
        var data = new byte[length];
        bus.ConfigIo.Read(4UL + (ulong)(register & 3), data);
        return data;
    }

    public void ConfigWrite(int slot, int register, byte[] data)
    {
        SelectRegister(slot, register);
        bus.ConfigIo.Write(4UL + (ulong)(register & 3), data);
    }

    public byte[] MmioRead(ulong address, int length)
    {
        var data = new byte[length];
        bus.MmioWindow.Read(address - PciRootBus.MmioWindowStart, data);
        return data;
    }

    public void MmioWrite(ulong address, byte[] data) => bus.MmioWindow.Write(address - PciRootBus.MmioWindowStart, data);

    public uint MmioRead32(ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(MmioRead(address, 4));

    public ushort MmioRead16(ulong address) => BinaryPrimitives.ReadUInt16LittleEndian(MmioRead(address, 2));

    public byte MmioRead8(ulong address) => MmioRead(address, 1)[0];

    public void MmioWrite32(ulong address, uint value)
    {
        var data = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        MmioWrite(address, data);
    }

    public void MmioWrite16(ulong address, ushort value)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(data, value);
        MmioWrite(address, data);
    }

    public void MmioWrite8(ulong address, byte value) => MmioWrite(address, [value]);

    /// <summary>Walks the capability list: (offset, id) pairs, bounded like Linux (48 hops).</summary>
    public List<(int Offset, byte Id)> Capabilities(int slot)
    {
        var found = new List<(int, byte)>();
        if ((ConfigRead16(slot, 0x06) & (1 << 4)) == 0)
        {
            return found;
        }
        int offset = ConfigRead8(slot, 0x34);
        for (var hops = 0; offset != 0 && hops < 48; hops++)
        {
            found.Add((offset, ConfigRead8(slot, offset)));
            offset = ConfigRead8(slot, offset + 1);
        }
        return found;
    }

    private void SelectRegister(int slot, int register)
    {
        var address = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(address, 0x8000_0000u | ((uint)slot << 11) | ((uint)register & 0xFC));
        bus.ConfigIo.Write(0, address);
    }
}
