namespace Concierge.Vmm.Devices;

/// <summary>
/// A 16550A UART (COM1 at 0x3F8, IRQ 4): enough of the chip for Linux's 8250 driver to detect it
/// (scratch, loopback and FIFO probes) and drive it with interrupts. Transmitted bytes go to the
/// output callback at once (the line never backs up); received bytes wait in a bounded FIFO.
/// </summary>
public sealed class Serial8250 : IBusDevice
{
    /// <summary>COM1's base port.</summary>
    public const ushort Com1Port = 0x3F8;

    /// <summary>COM1's ISA IRQ.</summary>
    public const uint Com1Irq = 4;

    /// <summary>Registers the UART occupies.</summary>
    public const ushort PortCount = 8;

    /// <summary>Received bytes held for the guest; more are dropped, as a real FIFO overruns.</summary>
    public const int ReceiveCapacity = 4096;

    private const int Data = 0, InterruptEnable = 1, InterruptId = 2, LineControl = 3;
    private const int ModemControl = 4, LineStatus = 5, ModemStatus = 6, Scratch = 7;
    private const byte IerReceivedData = 0x01, IerTransmitEmpty = 0x02;
    private const byte IirNoInterrupt = 0x01, IirTransmitEmpty = 0x02, IirReceivedData = 0x04, IirFifosEnabled = 0xC0;
    private const byte LcrDivisorLatch = 0x80;
    private const byte McrLoopback = 0x10;
    private const byte LsrDataReady = 0x01, LsrTransmitEmpty = 0x20, LsrTransmitterIdle = 0x40;
    private const byte MsrConnected = 0xB0; // DCD, DSR, CTS
    private const byte FcrEnable = 0x01, FcrClearReceive = 0x02;

    private readonly IInterruptLine _irq;
    private readonly Action<byte> _output;
    private readonly object _lock = new();
    private readonly Queue<byte> _received = new();
    private byte _ier, _lcr = 0x03, _mcr = 0x08, _scratch, _divisorLow = 0x0C, _divisorHigh;
    private bool _fifosEnabled;
    private bool _transmitEmptyPending;
    private bool _interruptAsserted;

    /// <summary>Creates the UART; <paramref name="output"/> receives each transmitted byte on the vCPU thread.</summary>
    public Serial8250(IInterruptLine irq, Action<byte> output)
    {
        _irq = irq;
        _output = output;
    }

    /// <summary>Queues bytes for the guest to read (console input). Bytes beyond the FIFO's capacity are dropped.</summary>
    public void Receive(ReadOnlySpan<byte> bytes)
    {
        bool raise;
        lock (_lock)
        {
            foreach (var b in bytes)
            {
                if (_received.Count >= ReceiveCapacity)
                {
                    break;
                }
                _received.Enqueue(b);
            }
            raise = UpdateInterrupt();
        }
        if (raise)
        {
            _irq.Trigger();
        }
    }

    /// <inheritdoc />
    public void Read(ulong offset, Span<byte> data)
    {
        byte value;
        bool raise;
        lock (_lock)
        {
            value = ReadRegister((int)offset);
            raise = UpdateInterrupt();
        }
        data.Fill(value);
        if (raise)
        {
            _irq.Trigger();
        }
    }

    /// <inheritdoc />
    public void Write(ulong offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        int transmitted = -1;
        bool raise;
        lock (_lock)
        {
            transmitted = WriteRegister((int)offset, data[0]);
            raise = UpdateInterrupt();
        }
        if (transmitted >= 0)
        {
            _output((byte)transmitted);
        }
        if (raise)
        {
            _irq.Trigger();
        }
    }

    private bool DivisorLatch => (_lcr & LcrDivisorLatch) != 0;

    private byte ReadRegister(int register)
    {
        switch (register)
        {
            case Data when DivisorLatch: return _divisorLow;
            case Data: return _received.Count > 0 ? _received.Dequeue() : (byte)0;
            case InterruptEnable when DivisorLatch: return _divisorHigh;
            case InterruptEnable: return _ier;
            case InterruptId:
                var id = PendingInterrupt();
                if (id == IirTransmitEmpty)
                {
                    // Reading IIR while it reports "transmitter empty" acknowledges that interrupt.
                    _transmitEmptyPending = false;
                }
                return (byte)(id | (_fifosEnabled ? IirFifosEnabled : 0));
            case LineControl: return _lcr;
            case ModemControl: return _mcr;
            case LineStatus: return (byte)(LsrTransmitEmpty | LsrTransmitterIdle | (_received.Count > 0 ? LsrDataReady : 0));
            case ModemStatus: return Loopback ? LoopbackModemStatus() : MsrConnected;
            case Scratch: return _scratch;
            default: return 0xFF;
        }
    }

    /// <summary>Applies a register write; returns the byte transmitted to the console, or -1.</summary>
    private int WriteRegister(int register, byte value)
    {
        switch (register)
        {
            case Data when DivisorLatch: _divisorLow = value; break;
            case Data:
                _transmitEmptyPending = true;
                if (Loopback)
                {
                    if (_received.Count < ReceiveCapacity)
                    {
                        _received.Enqueue(value);
                    }
                    break;
                }
                return value;
            case InterruptEnable when DivisorLatch: _divisorHigh = value; break;
            case InterruptEnable:
                if ((value & IerTransmitEmpty) != 0 && (_ier & IerTransmitEmpty) == 0)
                {
                    // Enabling the THRE interrupt while the transmitter is empty raises it at once.
                    _transmitEmptyPending = true;
                }
                _ier = (byte)(value & 0x0F);
                break;
            case InterruptId:
                _fifosEnabled = (value & FcrEnable) != 0;
                if ((value & FcrClearReceive) != 0)
                {
                    _received.Clear();
                }
                break;
            case LineControl: _lcr = value; break;
            case ModemControl: _mcr = (byte)(value & 0x1F); break;
            case Scratch: _scratch = value; break;
            default: break;
        }
        return -1;
    }

    private bool Loopback => (_mcr & McrLoopback) != 0;

    /// <summary>In loopback the modem inputs mirror the outputs: RTS→CTS, DTR→DSR, OUT1→RI, OUT2→DCD.</summary>
    private byte LoopbackModemStatus() =>
        (byte)(((_mcr & 0x02) << 3) | ((_mcr & 0x01) << 5) | ((_mcr & 0x04) << 4) | ((_mcr & 0x08) << 4));

    private byte PendingInterrupt()
    {
        if ((_ier & IerReceivedData) != 0 && _received.Count > 0)
        {
            return IirReceivedData;
        }
        if ((_ier & IerTransmitEmpty) != 0 && _transmitEmptyPending)
        {
            return IirTransmitEmpty;
        }
        return IirNoInterrupt;
    }

    /// <summary>Tracks the interrupt output; returns true on a rising edge (the IRQ is edge-triggered on ISA).</summary>
    private bool UpdateInterrupt()
    {
        var asserted = PendingInterrupt() != IirNoInterrupt;
        var rising = asserted && !_interruptAsserted;
        _interruptAsserted = asserted;
        return rising;
    }
}
