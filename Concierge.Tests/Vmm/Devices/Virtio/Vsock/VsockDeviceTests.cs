using System.Buffers.Binary;
using System.Security.Cryptography;
using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Vsock;
using NUnit.Framework;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Virtio.Vsock;

[TestFixture, Category("Unit")]
[CancelAfter(60_000)]
public sealed class VsockDeviceTests
{
    private const uint HostPort = 7777;
    private const uint GuestPort = 5000;

    private DeviceHarness _harness = null!;
    private VsockDevice _device = null!;
    private VsockGuestDriver _guest = null!;

    [SetUp]
    public void SetUp()
    {
        _device = new VsockDevice(VsockGuestDriver.GuestCid);
        _harness = new DeviceHarness(_device, queueSize: 64);
        _harness.Activate();
        _guest = new VsockGuestDriver(_harness);
    }

    [TearDown]
    public void TearDown()
    {
        _harness.Dispose();
        _device.Dispose();
    }

    [Test]
    public void ConfigHoldsTheGuestCid()
    {
        Span<byte> config = stackalloc byte[8];
        _device.ReadConfig(0, config);
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(config), Is.EqualTo(VsockGuestDriver.GuestCid));
    }

    [Test]
    public async Task GuestConnectIsAcceptedByTheHostListener()
    {
        using var listener = _device.Listen(HostPort);
        var response = _guest.Connect(GuestPort, HostPort);
        Assert.That(response.Op, Is.EqualTo(VsockOp.Response));
        Assert.That((response.SourceCid, response.DestinationCid), Is.EqualTo((2UL, VsockGuestDriver.GuestCid)));
        Assert.That((response.SourcePort, response.DestinationPort), Is.EqualTo((HostPort, GuestPort)));
        Assert.That(response.BufferAlloc, Is.EqualTo((uint)VirtioLimits.VsockConnectionBufferBytes));

        await using var stream = await listener.AcceptAsync();
        Assert.That(((VsockStream)stream).PeerPort, Is.EqualTo(GuestPort));
    }

    [Test]
    public async Task DataFlowsBothWays()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort);
        await using var stream = await listener.AcceptAsync();

        _guest.Send(VsockGuestDriver.Header(VsockOp.ReadWrite, GuestPort, HostPort, 5), "hello"u8.ToArray());
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer);
        Assert.That(buffer[..read], Is.EqualTo("hello"u8.ToArray()));

        _guest.PostRxBuffers(1);
        await stream.WriteAsync("world!"u8.ToArray());
        var (header, payload) = _guest.Receive();
        Assert.That(header.Op, Is.EqualTo(VsockOp.ReadWrite));
        Assert.That(payload, Is.EqualTo("world!"u8.ToArray()));
        Assert.That((header.SourcePort, header.DestinationPort), Is.EqualTo((HostPort, GuestPort)));
    }

    [Test]
    public async Task LargeTransferIsSplitIntoRxBuffersAndArrivesIntact()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort, bufAlloc: 1 << 20);
        await using var stream = await listener.AcceptAsync();
        var data = RandomNumberGenerator.GetBytes(100_000);
        var write = stream.WriteAsync(data).AsTask();

        var received = new List<byte>();
        while (received.Count < data.Length)
        {
            _guest.PostRxBuffers(1);
            var (header, payload) = _guest.Receive();
            Assert.That(header.Op, Is.EqualTo(VsockOp.ReadWrite));
            Assert.That(payload, Has.Length.LessThanOrEqualTo(4096));
            received.AddRange(payload);
        }
        await write;
        Assert.That(received.ToArray(), Is.EqualTo(data));
    }

    [Test]
    public async Task HostSendsNoMoreThanTheGuestsCreditUntilItIsUpdated()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort, bufAlloc: 100);
        await using var stream = await listener.AcceptAsync();
        await stream.WriteAsync(new byte[300]);

        _guest.PostRxBuffers(3);
        Assert.That(_guest.Receive().Payload, Has.Length.EqualTo(100));
        Assert.That(_guest.NothingReceived(TimeSpan.FromMilliseconds(200)), Is.True, "credit exhausted");

        _guest.Send(VsockGuestDriver.Header(VsockOp.CreditUpdate, GuestPort, HostPort, bufAlloc: 100, fwdCnt: 100));
        Assert.That(_guest.Receive().Payload, Has.Length.EqualTo(100));
    }

    [Test]
    public async Task HostReadingFreesCreditAndTellsTheGuest()
    {
        using var listener = _device.Listen(HostPort);
        // 192 KiB of the 256 KiB buffer: the guest believes only 64 KiB are left.
        await using var stream = await GuestSendsAndHostDrains(listener, 6, 32 << 10, 192 << 10);
        var (header, _) = _guest.Receive();
        Assert.That(header.Op, Is.EqualTo(VsockOp.CreditUpdate));
        Assert.That(header.ForwardCount, Is.EqualTo(192u << 10));
    }

    [Test]
    public async Task HostReadingSendsNoCreditUpdateWhileTheGuestHasPlentyLeft()
    {
        using var listener = _device.Listen(HostPort);
        // 96 KiB of 256 KiB: the guest can go on sending; an update would only cost it an interrupt.
        await using var stream = await GuestSendsAndHostDrains(listener, 3, 32 << 10, 96 << 10);
        Assert.That(_guest.NothingReceived(TimeSpan.FromMilliseconds(300)), Is.True, "no credit update while the guest has half its credit");
    }

    [Test]
    public async Task GuestThatRanOutOfCreditHearsOnceTheHostDrains()
    {
        using var listener = _device.Listen(HostPort);
        // The whole buffer, drained in small reads: the update must still come, or the guest would wait forever.
        await using var stream = await GuestSendsAndHostDrains(listener, 4, 64 << 10, 4096);
        var (header, _) = _guest.Receive();
        Assert.That(header.Op, Is.EqualTo(VsockOp.CreditUpdate));
        Assert.That(header.ForwardCount, Is.GreaterThanOrEqualTo(64u << 10));
    }

    /// <summary>
    /// The guest connects and sends <paramref name="packets"/> of <paramref name="bytesEach"/>; the
    /// host reads them all in reads of <paramref name="readBytes"/>; then the guest posts one RX
    /// buffer. Returns the host's stream, still open.
    /// </summary>
    private async Task<Stream> GuestSendsAndHostDrains(IVsockListener listener, int packets, int bytesEach, int readBytes)
    {
        _guest.Connect(GuestPort, HostPort);
        var stream = await listener.AcceptAsync();
        SendFromGuest(packets, bytesEach);
        for (var read = 0; read < packets * bytesEach; read += readBytes)
        {
            await ReadExactly(stream, readBytes);
        }
        _guest.PostRxBuffers(1);
        return stream;
    }

    private void SendFromGuest(int packets, int bytesEach)
    {
        var chunk = new byte[bytesEach];
        for (var i = 0; i < packets; i++)
        {
            _guest.Send(VsockGuestDriver.Header(VsockOp.ReadWrite, GuestPort, HostPort, (uint)chunk.Length), chunk);
        }
    }

    private static async Task ReadExactly(Stream stream, int bytes)
    {
        var buffer = new byte[bytes];
        var total = 0;
        while (total < bytes)
        {
            total += await stream.ReadAsync(buffer.AsMemory(total));
        }
    }

    [Test]
    public async Task HeaderOnlyRxBufferDoesNotShutDownAConnectionWithDataPending()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort);
        await using var stream = await listener.AcceptAsync();
        await stream.WriteAsync("queued"u8.ToArray());

        _guest.PostRxBuffers(1, VsockHeader.Size);
        var (headerOnly, _) = _guest.Receive();
        _guest.PostRxBuffers(1);
        var (data, payload) = _guest.Receive();

        Assert.That(headerOnly.Op, Is.Not.EqualTo(VsockOp.Shutdown), "no room for data is no reason to end the connection");
        Assert.That((data.Op, payload), Is.EqualTo((VsockOp.ReadWrite, "queued"u8.ToArray())));
    }

    [Test]
    public void CreditRequestIsAnswered()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort);
        _guest.PostRxBuffers(1);
        _guest.Send(VsockGuestDriver.Header(VsockOp.CreditRequest, GuestPort, HostPort));
        var (header, _) = _guest.Receive();
        Assert.That(header.Op, Is.EqualTo(VsockOp.CreditUpdate));
        Assert.That(header.BufferAlloc, Is.EqualTo((uint)VirtioLimits.VsockConnectionBufferBytes));
    }

    [Test]
    public void ConnectToAClosedPortIsReset()
    {
        var reply = _guest.Connect(GuestPort, 9999);
        Assert.That(reply.Op, Is.EqualTo(VsockOp.Rst));
        Assert.That((reply.SourcePort, reply.DestinationPort), Is.EqualTo((9999u, GuestPort)));
    }

    [Test]
    public void PacketForAnUnknownConnectionIsReset()
    {
        _guest.PostRxBuffers(1);
        _guest.Send(VsockGuestDriver.Header(VsockOp.ReadWrite, GuestPort, HostPort, 3), [1, 2, 3]);
        Assert.That(_guest.Receive().Header.Op, Is.EqualTo(VsockOp.Rst));
    }

    [Test]
    public void RstForAnUnknownConnectionIsIgnored()
    {
        _guest.PostRxBuffers(1);
        _guest.Send(VsockGuestDriver.Header(VsockOp.Rst, GuestPort, HostPort));
        Assert.That(_guest.NothingReceived(TimeSpan.FromMilliseconds(200)), Is.True);
    }

    [Test]
    public void ListenerDisposedRefusesLaterConnections()
    {
        _device.Listen(HostPort).Dispose();
        Assert.That(_guest.Connect(GuestPort, HostPort).Op, Is.EqualTo(VsockOp.Rst));
    }

    [Test]
    public async Task HostConnectCompletesWhenTheGuestResponds()
    {
        _guest.PostRxBuffers(1);
        var connect = _device.ConnectAsync(GuestPort);
        var (request, _) = _guest.Receive();
        Assert.That(request.Op, Is.EqualTo(VsockOp.Request));
        Assert.That(request.DestinationPort, Is.EqualTo(GuestPort));
        Assert.That(connect.IsCompleted, Is.False);

        _guest.Send(new VsockHeader(VsockGuestDriver.GuestCid, 2, GuestPort, request.SourcePort, 0, 1, VsockOp.Response, 0, 4096, 0));
        await using var stream = await connect;
        _guest.PostRxBuffers(1);
        await stream.WriteAsync("ping"u8.ToArray());
        Assert.That(_guest.Receive().Payload, Is.EqualTo("ping"u8.ToArray()));
    }

    [Test]
    public void HostConnectRefusedByTheGuestFails()
    {
        _guest.PostRxBuffers(1);
        var connect = _device.ConnectAsync(GuestPort);
        var (request, _) = _guest.Receive();
        _guest.Send(new VsockHeader(VsockGuestDriver.GuestCid, 2, GuestPort, request.SourcePort, 0, 1, VsockOp.Rst, 0, 0, 0));
        Assert.ThrowsAsync<VsockException>(async () => await connect);
        Assert.That(_device.ConnectionCount, Is.Zero);
    }

    [Test]
    public async Task GuestShutdownEndsHostReadsAfterTheDataAndIsAcknowledgedWithRst()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort);
        await using var stream = await listener.AcceptAsync();
        _guest.Send(VsockGuestDriver.Header(VsockOp.ReadWrite, GuestPort, HostPort, 3), [7, 8, 9]);
        _guest.PostRxBuffers(1);
        _guest.Send(VsockGuestDriver.Header(VsockOp.Shutdown, GuestPort, HostPort, flags: 3));

        Assert.That(_guest.Receive().Header.Op, Is.EqualTo(VsockOp.Rst));
        var buffer = new byte[8];
        Assert.That(await stream.ReadAsync(buffer), Is.EqualTo(3));
        Assert.That(await stream.ReadAsync(buffer), Is.Zero, "EOF after the data");
        Assert.ThrowsAsync<VsockException>(async () => await stream.WriteAsync(new byte[1]));
        Assert.That(_device.ConnectionCount, Is.Zero);
    }

    [Test]
    public async Task HostCloseSendsShutdownAfterQueuedData()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort);
        var stream = await listener.AcceptAsync();
        await stream.WriteAsync("bye"u8.ToArray());
        await stream.DisposeAsync();
        _guest.PostRxBuffers(2);
        Assert.That(_guest.Receive().Payload, Is.EqualTo("bye"u8.ToArray()));
        var (shutdown, _) = _guest.Receive();
        Assert.That(shutdown.Op, Is.EqualTo(VsockOp.Shutdown));
        Assert.That(shutdown.Flags, Is.EqualTo(3u));
    }

    [Test]
    public async Task GuestOverrunningCreditIsReset()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort);
        await using var stream = await listener.AcceptAsync();
        SendFromGuest(4, 64 << 10);
        _guest.PostRxBuffers(1);
        _guest.Send(VsockGuestDriver.Header(VsockOp.ReadWrite, GuestPort, HostPort, 1), [1]);
        Assert.That(_guest.Receive().Header.Op, Is.EqualTo(VsockOp.Rst));
        Assert.That(_device.ConnectionCount, Is.Zero);
        Assert.That(_device.BrokenReason, Is.Null, "a per-connection protocol error resets the connection, not the device");
    }

    [Test]
    public async Task ConnectionLimitRefusesTheNextGuestConnect()
    {
        using var listener = _device.Listen(HostPort);
        var streams = new List<Stream>();
        for (uint i = 0; i < VirtioLimits.VsockMaxConnections; i++)
        {
            Assert.That(_guest.Connect(GuestPort + i, HostPort).Op, Is.EqualTo(VsockOp.Response));
            streams.Add(await listener.AcceptAsync());
        }
        Assert.That(_guest.Connect(1, HostPort).Op, Is.EqualTo(VsockOp.Rst));
        Assert.ThrowsAsync<VsockException>(async () => await _device.ConnectAsync(1));
        Assert.That(_device.ConnectionCount, Is.EqualTo(VirtioLimits.VsockMaxConnections));
    }

    [Test]
    public async Task DeviceResetFailsOpenStreams()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort);
        await using var stream = await listener.AcceptAsync();
        _device.Reset();
        Assert.That(await stream.ReadAsync(new byte[4]), Is.Zero);
        Assert.ThrowsAsync<VsockException>(async () => await stream.WriteAsync(new byte[1]));
    }

    [Test]
    public void PayloadLengthBeyondTheBuffersBreaksTheDevice()
    {
        _guest.SendWithoutWaiting(VsockGuestDriver.Header(VsockOp.ReadWrite, GuestPort, HostPort, 100), new byte[10]);
        Assert.That(_harness.Transport.WaitForBroken(), Is.True);
        Assert.That(_device.BrokenReason, Does.Contain("carries 10"));
    }

    [Test]
    public void OversizedPayloadBreaksTheDevice()
    {
        _guest.SendWithoutWaiting(VsockGuestDriver.Header(VsockOp.ReadWrite, GuestPort, HostPort, 1 << 20), new byte[1 << 20]);
        Assert.That(_harness.Transport.WaitForBroken(), Is.True);
        Assert.That(_device.BrokenReason, Does.Contain("more than"));
    }

    [Test]
    public void SpoofedSourceCidBreaksTheDevice()
    {
        _guest.SendWithoutWaiting(new VsockHeader(7, 2, GuestPort, HostPort, 0, 1, VsockOp.Request, 0, 0, 0));
        Assert.That(_harness.Transport.WaitForBroken(), Is.True);
        Assert.That(_device.BrokenReason, Does.Contain("source CID"));
    }

    [Test]
    public void TransmitWithWritableBuffersBreaksTheDevice()
    {
        var tx = _harness.Queues[1];
        var header = new byte[VsockHeader.Size];
        VsockGuestDriver.Header(VsockOp.Request, GuestPort, HostPort).Write(header);
        tx.AddChain(Buffer.Out(tx.Allocate(header), VsockHeader.Size), Buffer.In(tx.Allocate(16), 16));
        Assert.That(_harness.KickAndExpectBroken(1), Does.Contain("device-writable"));
    }

    [Test]
    public async Task TinyRxBufferBreaksTheDeviceAndFailsOpenStreams()
    {
        using var listener = _device.Listen(HostPort);
        _guest.Connect(GuestPort, HostPort);
        await using var stream = await listener.AcceptAsync();
        _guest.PostRxBuffers(1, bytes: 8);
        await stream.WriteAsync(new byte[10]);
        Assert.That(_harness.Transport.WaitForBroken(), Is.True);
        Assert.That(_device.BrokenReason, Does.Contain("RX buffer"));
        Assert.ThrowsAsync<VsockException>(async () => await stream.WriteAsync(new byte[1]));
    }
}
