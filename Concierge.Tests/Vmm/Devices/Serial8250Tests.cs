using Concierge.Vmm.Devices;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Devices;

[TestFixture, Category("Unit")]
public sealed class Serial8250Tests
{
    private readonly List<byte> _output = [];
    private CountingLine _irq = null!;
    private Serial8250 _uart = null!;

    [SetUp]
    public void CreateUart()
    {
        _output.Clear();
        _irq = new CountingLine();
        _uart = new Serial8250(_irq, _output.Add);
    }

    [Test]
    public void TransmittedBytesReachTheOutput()
    {
        Write(0, (byte)'h');
        Write(0, (byte)'i');
        Assert.That(_output, Is.EqualTo("hi"u8.ToArray()));
        Assert.That(Read(5) & 0x60, Is.EqualTo(0x60), "transmitter always empty");
    }

    [Test]
    public void LoopbackProbeSeesModemLinesMirrored()
    {
        // Linux's autoconfig: MCR = LOOP | RTS | OUT2 must read back CTS | DCD in MSR.
        Write(4, 0x1A);
        Assert.That(Read(6) & 0xF0, Is.EqualTo(0x90));
        Write(0, 0x55);
        Assert.That(_output, Is.Empty, "loopback bytes do not leave the UART");
        Assert.That(Read(0), Is.EqualTo(0x55));
    }

    [Test]
    public void ScratchAndDivisorLatchHoldValues()
    {
        Write(7, 0xA5);
        Write(3, 0x80);
        Write(0, 0x01);
        Write(1, 0x02);
        Write(3, 0x03);
        Assert.That(Read(7), Is.EqualTo(0xA5));
        Write(3, 0x83);
        Assert.That((Read(0), Read(1)), Is.EqualTo((0x01, 0x02)));
    }

    [Test]
    public void EnablingTransmitInterruptRaisesItUntilIirIsRead()
    {
        Write(1, 0x02);
        Assert.That(_irq.Count, Is.EqualTo(1));
        Assert.That(Read(2) & 0x0F, Is.EqualTo(0x02), "THRE interrupt pending");
        Assert.That(Read(2) & 0x0F, Is.EqualTo(0x01), "reading IIR acknowledged it");
        Write(0, (byte)'x');
        Assert.That(_irq.Count, Is.EqualTo(2), "each transmit raises it again");
    }

    [Test]
    public void ReceivedBytesRaiseTheDataInterrupt()
    {
        Write(1, 0x01);
        _uart.Receive("ab"u8);
        Assert.That(_irq.Count, Is.EqualTo(1));
        Assert.That(Read(5) & 0x01, Is.EqualTo(1));
        Assert.That(Read(2) & 0x0F, Is.EqualTo(0x04));
        Assert.That((Read(0), Read(0)), Is.EqualTo(('a', 'b')));
        Assert.That(Read(5) & 0x01, Is.Zero);
    }

    [Test]
    public void ReceiveFifoIsBounded()
    {
        _uart.Receive(new byte[Serial8250.ReceiveCapacity + 100]);
        var count = 0;
        while ((Read(5) & 0x01) != 0 && count < Serial8250.ReceiveCapacity * 2)
        {
            Read(0);
            count++;
        }
        Assert.That(count, Is.EqualTo(Serial8250.ReceiveCapacity));
    }

    private void Write(ulong register, byte value) => _uart.Write(register, [value]);

    private int Read(ulong register)
    {
        Span<byte> value = stackalloc byte[1];
        _uart.Read(register, value);
        return value[0];
    }

    private sealed class CountingLine : IInterruptLine
    {
        public int Count { get; private set; }

        public void Trigger() => Count++;
    }
}
