using System.Buffers.Binary;

namespace Concierge.Vmm.Devices;

/// <summary>
/// The ACPI PM1a event and control blocks the FADT declares, back to back on I/O ports
/// 0x600-0x605. The guest powers off by writing SLP_TYP = the DSDT's <c>\_S5</c> value with SLP_EN
/// set to the control register; that ends the VM with exit reason power-off. This is how a stock
/// kernel's <c>poweroff</c> reaches us: without ACPI it would only halt the CPU. The status register
/// reads as zero (we raise no ACPI events); the enable register holds what the guest wrote.
/// </summary>
public sealed class AcpiPowerManagement : IBusDevice
{
    /// <summary>PM1a_EVT_BLK: status (2 bytes) then enable (2 bytes).</summary>
    public const ushort EventBlockPort = 0x600;

    /// <summary>Bytes of the event block.</summary>
    public const byte EventBlockLength = 4;

    /// <summary>PM1a_CNT_BLK, right after the event block.</summary>
    public const ushort ControlBlockPort = EventBlockPort + EventBlockLength;

    /// <summary>Bytes of the control block.</summary>
    public const byte ControlBlockLength = 2;

    /// <summary>Ports the device occupies, from <see cref="EventBlockPort"/>.</summary>
    public const ushort PortCount = EventBlockLength + ControlBlockLength;

    private const ushort SciEnable = 1;
    private const ushort SleepEnable = 1 << 13;
    private const int SleepTypeShift = 10;
    private const ushort SleepTypeMask = 0x7 << SleepTypeShift;

    private readonly Action _powerOff;
    private readonly byte _s5SleepType;
    private int _control = SciEnable;
    private int _enable;

    /// <summary>Creates the blocks; <paramref name="powerOff"/> runs (on the vCPU thread) when the guest enters S5.</summary>
    public AcpiPowerManagement(byte s5SleepType, Action powerOff)
    {
        _s5SleepType = s5SleepType;
        _powerOff = powerOff;
    }

    /// <inheritdoc />
    public void Read(ulong offset, Span<byte> data)
    {
        Span<byte> registers = stackalloc byte[PortCount];
        registers.Clear();
        // SCI_EN always reads set: the platform is permanently in ACPI mode (no SMI command port).
        BinaryPrimitives.WriteUInt16LittleEndian(registers[2..], (ushort)Volatile.Read(ref _enable));
        BinaryPrimitives.WriteUInt16LittleEndian(registers[EventBlockLength..], (ushort)(Volatile.Read(ref _control) | SciEnable));
        data.Clear();
        if (offset < PortCount)
        {
            var available = registers[(int)offset..];
            available[..Math.Min(available.Length, data.Length)].CopyTo(data);
        }
    }

    /// <inheritdoc />
    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        // Only whole 16-bit writes matter (that is how ACPICA writes these registers). The enable
        // register keeps its value (ACPICA reads back the event enables it sets); status stays 0.
        if (offset == 2 && data.Length == 2)
        {
            Volatile.Write(ref _enable, BinaryPrimitives.ReadUInt16LittleEndian(data));
        }
        if (offset != EventBlockLength || data.Length != ControlBlockLength)
        {
            return;
        }
        var value = BinaryPrimitives.ReadUInt16LittleEndian(data);
        Volatile.Write(ref _control, value & ~SleepEnable);
        if ((value & SleepEnable) != 0 && (value & SleepTypeMask) >> SleepTypeShift == _s5SleepType)
        {
            _powerOff();
        }
    }
}
