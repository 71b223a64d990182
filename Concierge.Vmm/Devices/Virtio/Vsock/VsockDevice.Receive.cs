using Concierge.Vmm.Devices.Virtio.Queue;

namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>The RX queue: packets for the guest, written into the buffers it posted.</summary>
public sealed partial class VsockDevice
{
    private void FillReceiveQueue(Func<bool> stopRequested)
    {
        if (Queues.Count <= RxQueue || Queues[RxQueue] is not { } rx)
        {
            return;
        }
        var filled = 0;
        while (!stopRequested())
        {
            if (filled >= VirtioLimits.MaxChainsPerPass)
            {
                WakeWorker();
                break;
            }
            lock (_sync)
            {
                if (!HasPacketToSend())
                {
                    break;
                }
            }
            if (!rx.TryPopChain(out var chain))
            {
                // Out of guest buffers with packets waiting: ask to be told when more arrive.
                if (rx.ArmNotificationAndCheckPending())
                {
                    continue;
                }
                break;
            }
            if (chain.ReadableBytes != 0 || chain.WritableBytes < VsockHeader.Size)
            {
                throw new GuestFaultException($"vsock RX buffer {chain.HeadIndex} must be at least {VsockHeader.Size} device-writable bytes only");
            }
            uint written;
            lock (_sync)
            {
                written = WriteNextPacket(chain);
            }
            rx.AddUsed(chain.HeadIndex, written);
            CountChain();
            filled++;
        }
        if (filled > 0)
        {
            SignalIfWanted(RxQueue);
        }
    }

    private bool HasPacketToSend()
    {
        if (_control.Count > 0)
        {
            return true;
        }
        foreach (var connection in _connections.Values)
        {
            if (connection.HasPacketToSend)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Writes one packet into <paramref name="chain"/>: control packets first, then connection data, credit, shutdown.</summary>
    private uint WriteNextPacket(DescriptorChain chain)
    {
        Span<byte> bytes = stackalloc byte[VsockHeader.Size];
        if (_control.TryDequeue(out var control))
        {
            HeaderFor(control.Op, control.LocalPort, control.PeerPort).Write(bytes);
            chain.CopyToWritable(Memory!, 0, bytes);
            return VsockHeader.Size;
        }
        foreach (var connection in _connections.Values)
        {
            if (!connection.HasPacketToSend)
            {
                continue;
            }
            var room = (int)Math.Min(chain.WritableBytes - VsockHeader.Size, (uint)VirtioLimits.VsockMaxPacketPayload);
            var payload = connection.SendableBytes(room);
            VsockHeader header;
            if (payload > 0)
            {
                foreach (var piece in DescriptorChain.Slice(chain.Writable, VsockHeader.Size, (uint)payload))
                {
                    connection.TakeOutbound(Memory!.GetSpan(piece.Address, (int)piece.Length));
                }
                header = HeaderFor(VsockOp.ReadWrite, connection.LocalPort, connection.PeerPort, (uint)payload);
            }
            else if (connection.CreditUpdateWanted || connection.OutboundCount > 0)
            {
                // Data is waiting but this buffer holds only a header: a credit update says nothing
                // untrue, and the data goes in the next buffer (SHUTDOWN here would end the connection).
                header = HeaderFor(VsockOp.CreditUpdate, connection.LocalPort, connection.PeerPort);
            }
            else
            {
                header = HeaderFor(VsockOp.Shutdown, connection.LocalPort, connection.PeerPort, flags: VsockHeader.ShutdownSend | VsockHeader.ShutdownReceive);
                connection.ShutdownSent = true;
            }
            // Every packet carries our fwd_cnt, so it answers a pending credit request too.
            connection.CreditUpdateWanted = false;
            header.Write(bytes);
            chain.CopyToWritable(Memory!, 0, bytes);
            return VsockHeader.Size + (uint)payload;
        }
        return 0;
    }
}
