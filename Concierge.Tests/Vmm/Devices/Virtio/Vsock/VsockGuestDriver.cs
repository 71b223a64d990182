using Concierge.Tests.Vmm.Devices.Virtio.TestKit;
using Concierge.Vmm.Devices.Virtio.Vsock;
using Buffer = Concierge.Tests.Vmm.Devices.Virtio.TestKit.TestVirtQueue.Buffer;

namespace Concierge.Tests.Vmm.Devices.Virtio.Vsock;

/// <summary>Plays the guest's virtio-vsock driver over real rings: posts RX buffers, sends TX packets, reads RX packets.</summary>
public sealed class VsockGuestDriver
{
    public const ulong GuestCid = 42;
    public const int RxBufferBytes = VsockHeader.Size + 4096;

    private readonly DeviceHarness _harness;
    private readonly Dictionary<ushort, ulong> _rxBuffers = [];
    private int _rxConsumed;
    private int _txSent;

    public VsockGuestDriver(DeviceHarness harness) => _harness = harness;

    private TestVirtQueue Rx => _harness.Queues[0];

    private TestVirtQueue Tx => _harness.Queues[1];

    public void PostRxBuffers(int count, int bytes = RxBufferBytes)
    {
        for (var i = 0; i < count; i++)
        {
            var address = Rx.Allocate(bytes);
            _rxBuffers[Rx.AddChain(Buffer.In(address, (uint)bytes))] = address;
        }
        _harness.Device.Notify(0);
    }

    public static VsockHeader Header(VsockOp op, uint guestPort, uint hostPort, uint length = 0, uint flags = 0, uint bufAlloc = 64 << 10, uint fwdCnt = 0) =>
        new(GuestCid, 2, guestPort, hostPort, length, VsockHeader.TypeStream, op, flags, bufAlloc, fwdCnt);

    /// <summary>Sends a packet on TX and waits until the device consumed it.</summary>
    public void Send(VsockHeader header, byte[]? payload = null)
    {
        SendWithoutWaiting(header, payload);
        if (!Tx.WaitForUsed(_txSent))
        {
            throw new TimeoutException($"TX packet not consumed; broken: {_harness.Device.BrokenReason}");
        }
    }

    public void SendWithoutWaiting(VsockHeader header, byte[]? payload = null)
    {
        var bytes = new byte[VsockHeader.Size];
        header.Write(bytes);
        var buffers = new List<Buffer> { Buffer.Out(Tx.Allocate(bytes), VsockHeader.Size) };
        if (payload is { Length: > 0 })
        {
            buffers.Add(Buffer.Out(Tx.Allocate(payload), (uint)payload.Length));
        }
        Tx.AddChain([.. buffers]);
        _txSent++;
        _harness.Device.Notify(1);
    }

    /// <summary>The next packet the device put in RX (posting a fresh buffer if none is free).</summary>
    public (VsockHeader Header, byte[] Payload) Receive(TimeSpan? timeout = null)
    {
        if (!Rx.WaitForUsed(_rxConsumed + 1, timeout ?? TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"no RX packet; broken: {_harness.Device.BrokenReason}");
        }
        var (head, written) = Rx.UsedEntry(_rxConsumed++);
        var address = _rxBuffers[head];
        var header = VsockHeader.Read(_harness.Memory.GetSpan(address, VsockHeader.Size));
        var payload = _harness.Memory.GetSpan(address + VsockHeader.Size, (int)written - VsockHeader.Size).ToArray();
        if (header.Length != payload.Length)
        {
            throw new InvalidOperationException($"header says {header.Length} payload bytes, used length says {payload.Length}");
        }
        return (header, payload);
    }

    /// <summary>True if no RX packet arrives within <paramref name="wait"/>.</summary>
    public bool NothingReceived(TimeSpan wait) => !Rx.WaitForUsed(_rxConsumed + 1, wait);

    /// <summary>Guest connects from <paramref name="guestPort"/> to host port <paramref name="hostPort"/>; returns the RESPONSE.</summary>
    public VsockHeader Connect(uint guestPort, uint hostPort, uint bufAlloc = 64 << 10)
    {
        PostRxBuffers(1);
        Send(Header(VsockOp.Request, guestPort, hostPort, bufAlloc: bufAlloc));
        return Receive().Header;
    }
}
