namespace Concierge.Vmm.Devices;

/// <summary>
/// A minimal i8042 keyboard controller on ports 0x60 (data) and 0x64 (status/command), there so
/// the guest can reset the machine: command 0xFE (pulse reset), or a write of the output port
/// with the reset bit low, ends the VM with exit reason reboot. It answers the controller
/// commands a probing driver sends (read/write the command byte, self tests) but has no keyboard.
/// </summary>
public sealed class I8042Controller : IBusDevice
{
    /// <summary>The data port; the status/command port is <see cref="DataPort"/> + 4.</summary>
    public const ushort DataPort = 0x60;

    /// <summary>Offset of the status/command port from <see cref="DataPort"/>.</summary>
    public const ushort CommandOffset = 4;

    /// <summary>Ports the device is registered on, from <see cref="DataPort"/> (0x61 inside it is KVM's speaker port and never reaches us).</summary>
    public const ushort PortCount = CommandOffset + 1;

    private const byte StatusOutputFull = 0x01;
    private const byte StatusSystemFlag = 0x04;
    private const byte StatusLastWasCommand = 0x08;
    private const byte CommandReadConfig = 0x20;
    private const byte CommandWriteConfig = 0x60;
    private const byte CommandDisableAux = 0xA7;
    private const byte CommandEnableAux = 0xA8;
    private const byte CommandTestAux = 0xA9;
    private const byte CommandSelfTest = 0xAA;
    private const byte CommandTestKeyboard = 0xAB;
    private const byte CommandDisableKeyboard = 0xAD;
    private const byte CommandEnableKeyboard = 0xAE;
    private const byte CommandReadOutputPort = 0xD0;
    private const byte CommandWriteOutputPort = 0xD1;
    private const byte CommandPulseReset = 0xFE;
    private const byte SelfTestPassed = 0x55;
    private const byte OutputPortResetDeasserted = 0x01;

    private readonly Action _reset;
    private readonly object _lock = new();
    private byte _config = 0x45; // keyboard interrupt on, system flag, translation
    private byte _status = StatusSystemFlag;
    private byte _output;
    private byte _pendingCommand;

    /// <summary>Creates the controller; <paramref name="reset"/> runs (on the vCPU thread) when the guest resets the machine.</summary>
    public I8042Controller(Action reset) => _reset = reset;

    /// <inheritdoc />
    public void Read(ulong offset, Span<byte> data)
    {
        byte value;
        lock (_lock)
        {
            if (offset == CommandOffset)
            {
                value = _status;
            }
            else if (offset != 0)
            {
                value = 0xFF;
            }
            else
            {
                value = _output;
                _status &= unchecked((byte)~StatusOutputFull);
            }
        }
        data.Fill(value);
    }

    /// <inheritdoc />
    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        bool reset;
        lock (_lock)
        {
            reset = offset switch
            {
                CommandOffset => Command(data[0]),
                0 => Data(data[0]),
                _ => false,
            };
        }
        if (reset)
        {
            _reset();
        }
    }

    private bool Command(byte command)
    {
        _status |= StatusLastWasCommand;
        _pendingCommand = 0;
        switch (command)
        {
            case CommandReadConfig: Respond(_config); break;
            case CommandWriteConfig or CommandWriteOutputPort: _pendingCommand = command; break;
            case CommandSelfTest: Respond(SelfTestPassed); break;
            case CommandTestKeyboard or CommandTestAux: Respond(0x00); break;
            case CommandReadOutputPort: Respond(OutputPortResetDeasserted); break;
            case CommandDisableAux or CommandEnableAux or CommandDisableKeyboard or CommandEnableKeyboard: break;
            case CommandPulseReset: return true;
            default: break;
        }
        return false;
    }

    private bool Data(byte value)
    {
        _status &= unchecked((byte)~StatusLastWasCommand);
        var command = _pendingCommand;
        _pendingCommand = 0;
        switch (command)
        {
            case CommandWriteConfig: _config = value; return false;
            case CommandWriteOutputPort: return (value & OutputPortResetDeasserted) == 0;
            default: return false; // bytes for a keyboard that is not there
        }
    }

    private void Respond(byte value)
    {
        _output = value;
        _status |= StatusOutputFull;
    }
}
