using Concierge.Vmm.Devices.Virtio;
using Concierge.Vmm.Devices.Virtio.Vsock;

namespace Concierge.Fuzz.Targets.Virtio;

/// <summary>
/// virtio-vsock packets and connection states: the guest's TX packets and RX buffers against the
/// production <see cref="VsockDevice"/> on its worker, interleaved with what the host does on the
/// same connections (accept, connect, write, read, close) and with device resets.
/// </summary>
/// <remarks>
/// Input: steps until it ends, each an opcode byte (b % 9) and its operands — 0 TX packet (44
/// header bytes, 16-bit payload length, payload, split byte), 1 RX buffers (count, 16-bit
/// lengths), 2 kick and settle, 3 host accept, 4 host connect (32-bit guest port), 5 host write
/// (stream, 16-bit length, bytes), 6 host read (stream), 7 host close (stream), 8 guest reset.
/// Host calls never wait: a host operation that would block is cancelled at once. At each settle
/// the packets the device wrote are checked (<see cref="CheckPackets"/>).
/// </remarks>
public sealed class VsockTarget : IFuzzTarget
{
    /// <summary>The guest's CID.</summary>
    public const ulong GuestCid = 3;

    /// <summary>The host port the fuzzed guest may connect to (the host link's).</summary>
    public const uint ListenPort = 7777;

    private const ushort QueueSize = 32;
    private const int MaxSteps = 256;
    private const int RxQueue = 0;
    private const int TxQueue = 1;

    /// <inheritdoc />
    public string Name => "virtio-vsock";

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        var reader = new FuzzInput(input);
        using var device = new FuzzedDevice(new VsockDevice(GuestCid), QueueSize);
        using var host = new VsockHost((VsockDevice)device.Device, ListenPort);
        device.Activate(device.Device.OfferedFeatures);
        for (var step = 0; step < MaxSteps && !reader.IsEmpty; step++)
        {
            switch (reader.Byte() % 9)
            {
                case 0:
                    device.Queues[TxQueue].TryAdd(Packet(ref reader));
                    break;
                case 1:
                    var count = 1 + (reader.Byte() % 4);
                    for (var i = 0; i < count; i++)
                    {
                        device.Queues[RxQueue].TryAdd([DriverBuffer.In(reader.Le16())]);
                    }
                    break;
                case 2:
                    device.Settle();
                    CheckPackets(device, host);
                    break;
                case 3:
                    host.Accept();
                    break;
                case 4:
                    host.Connect(reader.Le32());
                    break;
                case 5:
                    var stream = reader.Byte();
                    host.Write(stream, reader.Bytes(reader.Le16()));
                    break;
                case 6:
                    host.Read(reader.Byte());
                    break;
                case 7:
                    host.Close(reader.Byte());
                    break;
                default:
                    CheckPackets(device, host);
                    device.Reset();
                    device.Activate(device.Device.OfferedFeatures);
                    break;
            }
            device.ThrowIfInternalError();
        }
        device.Settle();
        device.ThrowIfInternalError();
        CheckPackets(device, host);
    }

    /// <inheritdoc />
    public IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        const uint guestPort = 1234;
        var request = Tx(VsockOp.Request, guestPort, ListenPort);
        var rx = new SeedWriter().Byte(1).Byte(3).Le16(4096).Le16(4096).Le16(4096).Le16(4096).ToArray();
        var settle = new byte[] { 2 };
        yield return ("guest-connects", Join(request, rx, settle, [3]));
        yield return ("guest-sends-host-reads", Join(request, rx, settle, [3], Tx(VsockOp.ReadWrite, guestPort, ListenPort, "hello"u8.ToArray()), settle, [6, 0]));
        yield return ("host-writes-guest-reads", Join(request, rx, settle, [3], new SeedWriter().Byte(5).Byte(0).Le16(5).Bytes("hello"u8).ToArray(), rx, settle));
        yield return ("guest-shuts-down", Join(request, rx, settle, [3], Tx(VsockOp.Shutdown, guestPort, ListenPort, flags: 3), rx, settle, [6, 0]));
        yield return ("host-closes", Join(request, rx, settle, [3], [7, 0], rx, settle, Tx(VsockOp.Rst, guestPort, ListenPort), settle));
        yield return ("credit-request", Join(request, rx, settle, Tx(VsockOp.CreditRequest, guestPort, ListenPort), rx, settle));
        yield return ("host-connects", Join(rx, new SeedWriter().Byte(4).Le32(5000).ToArray(), settle, Tx(VsockOp.Response, 5000, 1u << 30), settle, [5, 0, 2, 0, (byte)'h', (byte)'i'], rx, settle));
        yield return ("nobody-listens", Join(Tx(VsockOp.Request, guestPort, 9999), rx, settle));
        yield return ("reset-mid-connection", Join(request, rx, settle, [3], [8], request, rx, settle));
        var oneRx = new SeedWriter().Byte(1).Byte(0).Le16(4096).ToArray();
        yield return ("header-only-rx-buffer", Join(request, oneRx, settle, [3], new SeedWriter().Byte(5).Byte(0).Le16(6).Bytes("queued"u8).ToArray(),
            new SeedWriter().Byte(1).Byte(0).Le16(VsockHeader.Size).ToArray(), settle, oneRx, settle));
        yield return ("split-payload", Join(request, rx, settle, [3], Tx(VsockOp.ReadWrite, guestPort, ListenPort, new byte[100], split: 30), settle, [6, 0]));
    }

    /// <summary>
    /// What the device owes the guest whatever the guest did: TX chains come back with nothing
    /// written; each RX packet is from the host's CID to the guest's, a stream packet whose used
    /// length is its header plus its payload; data packets carry data; and SHUTDOWN goes only on
    /// a connection whose host stream was closed.
    /// </summary>
    private static void CheckPackets(FuzzedDevice device, VsockHost host)
    {
        if (device.TakeCompleted(TxQueue).FirstOrDefault(c => c.Written != 0) is { } tx)
        {
            throw new FuzzFindingException($"vsock TX chain {tx.Head} came back with {tx.Written} bytes written");
        }
        foreach (var rx in device.TakeCompleted(RxQueue))
        {
            if (rx.Bytes.Length < VsockHeader.Size)
            {
                throw new FuzzFindingException($"vsock RX chain {rx.Head} came back with {rx.Written} bytes, less than a header");
            }
            var header = VsockHeader.Read(rx.Bytes);
            var wrong =
                header.SourceCid != VsockDevice.HostCid || header.DestinationCid != GuestCid || header.Type != VsockHeader.TypeStream ? "addressing"
                : rx.Written != VsockHeader.Size + header.Length ? "length"
                : header.Op == VsockOp.ReadWrite && header.Length == 0 ? "empty data packet"
                : header.Op != VsockOp.ReadWrite && header.Length != 0 ? "payload on a control packet"
                : header.Op == VsockOp.Shutdown && !host.Closed(header.SourcePort, header.DestinationPort) ? "SHUTDOWN the host never asked for"
                : null;
            if (wrong is not null)
            {
                throw new FuzzFindingException($"vsock RX packet {header} in a chain of {rx.WritableBytes} bytes, used length {rx.Written}: {wrong}");
            }
        }
    }

    private static List<DriverBuffer> Packet(ref FuzzInput reader)
    {
        var header = new byte[VsockHeader.Size];
        reader.Bytes(VsockHeader.Size).CopyTo(header);
        var payload = reader.Bytes(reader.Le16()).ToArray();
        var split = reader.Byte();
        if (split == 0 || payload.Length == 0)
        {
            return [DriverBuffer.Out([.. header, .. payload])];
        }
        // A second descriptor exercises payloads that span buffers (as Linux sends them).
        var at = split % (payload.Length + 1);
        return [DriverBuffer.Out([.. header, .. payload.AsSpan(0, at)]), DriverBuffer.Out(payload[at..])];
    }

    private static byte[] Tx(VsockOp op, uint guestPort, uint hostPort, byte[]? payload = null, uint flags = 0, byte split = 0)
    {
        payload ??= [];
        var header = new byte[VsockHeader.Size];
        new VsockHeader(GuestCid, VsockDevice.HostCid, guestPort, hostPort, (uint)payload.Length, VsockHeader.TypeStream, op, flags, 64 << 10, 0).Write(header);
        return new SeedWriter().Byte(0).Bytes(header).Le16((ushort)payload.Length).Bytes(payload).Byte(split).ToArray();
    }

    private static byte[] Join(params byte[][] steps) => [.. steps.SelectMany(s => s)];
}
