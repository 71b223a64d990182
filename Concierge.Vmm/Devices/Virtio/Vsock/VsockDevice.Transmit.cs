using Concierge.Vmm.Devices.Virtio.Queue;

namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>The TX queue: packets the guest sends.</summary>
public sealed partial class VsockDevice
{
    private uint HandleTransmit(DescriptorChain chain)
    {
        if (chain.WritableBytes != 0)
        {
            throw new GuestFaultException($"vsock TX packet {chain.HeadIndex} has device-writable buffers");
        }
        if (chain.ReadableBytes < VsockHeader.Size)
        {
            throw new GuestFaultException($"vsock TX packet {chain.HeadIndex} is {chain.ReadableBytes} bytes, shorter than its header");
        }
        Span<byte> bytes = stackalloc byte[VsockHeader.Size];
        chain.CopyFromReadable(Memory!, 0, bytes);
        var header = VsockHeader.Read(bytes);
        if (header.Length > VirtioLimits.VsockMaxPacketPayload)
        {
            throw new GuestFaultException($"vsock TX packet {chain.HeadIndex} claims {header.Length} payload bytes, more than {VirtioLimits.VsockMaxPacketPayload}");
        }
        if (header.Length > chain.ReadableBytes - VsockHeader.Size)
        {
            throw new GuestFaultException($"vsock TX packet {chain.HeadIndex} claims {header.Length} payload bytes but carries {chain.ReadableBytes - VsockHeader.Size}");
        }
        if (header.SourceCid != GuestCid)
        {
            throw new GuestFaultException($"vsock TX packet {chain.HeadIndex} claims source CID {header.SourceCid}; the guest is {GuestCid}");
        }
        lock (_sync)
        {
            Dispatch(header, chain);
        }
        return 0;
    }

    private void Dispatch(VsockHeader header, DescriptorChain chain)
    {
        var local = header.DestinationPort;
        var peer = header.SourcePort;
        if (header.Type != VsockHeader.TypeStream || header.DestinationCid != HostCid)
        {
            RefuseUnlessRst(header);
            return;
        }
        _connections.TryGetValue((local, peer), out var connection);
        if (header.Op == VsockOp.Request)
        {
            Accept(header, connection);
            return;
        }
        if (connection is null)
        {
            RefuseUnlessRst(header);
            return;
        }
        connection.UpdatePeerCredit(header.BufferAlloc, header.ForwardCount);
        switch (header.Op)
        {
            case VsockOp.Response when !connection.IsEstablished:
                connection.MarkEstablished();
                break;
            case VsockOp.Rst:
                Remove(connection, "reset by the guest");
                break;
            case VsockOp.Shutdown:
                connection.PeerShutdown(header.Flags);
                if ((header.Flags & (VsockHeader.ShutdownSend | VsockHeader.ShutdownReceive)) == (VsockHeader.ShutdownSend | VsockHeader.ShutdownReceive))
                {
                    // The guest closed: acknowledge with RST (what Linux waits for); unread data stays readable.
                    Remove(connection, "closed by the guest");
                    QueueControl(VsockOp.Rst, local, peer);
                }
                break;
            case VsockOp.ReadWrite when connection.IsEstablished:
                Receive(header, chain, connection);
                break;
            case VsockOp.CreditUpdate:
                break;
            case VsockOp.CreditRequest:
                connection.CreditUpdateWanted = true;
                break;
            default:
                Remove(connection, $"protocol error: {header.Op} in the wrong state");
                QueueControl(VsockOp.Rst, local, peer);
                break;
        }
    }

    private void Accept(VsockHeader header, VsockConnection? existing)
    {
        var local = header.DestinationPort;
        var peer = header.SourcePort;
        if (existing is not null
            || !_listeners.TryGetValue(local, out var listener)
            || _connections.Count >= VirtioLimits.VsockMaxConnections)
        {
            QueueControl(VsockOp.Rst, local, peer);
            return;
        }
        var connection = new VsockConnection(_sync, WakeWorker, local, peer, established: true);
        connection.UpdatePeerCredit(header.BufferAlloc, header.ForwardCount);
        if (!listener.TryEnqueue(new VsockStream(connection)))
        {
            QueueControl(VsockOp.Rst, local, peer);
            return;
        }
        _connections.Add((local, peer), connection);
        QueueControl(VsockOp.Response, local, peer);
    }

    private void Receive(VsockHeader header, DescriptorChain chain, VsockConnection connection)
    {
        if (header.Length > connection.InboundFree)
        {
            Remove(connection, $"the guest sent {header.Length} bytes with only {connection.InboundFree} of credit");
            QueueControl(VsockOp.Rst, connection.LocalPort, connection.PeerPort);
            return;
        }
        foreach (var piece in DescriptorChain.Slice(chain.Readable, VsockHeader.Size, header.Length))
        {
            connection.AppendInbound(Memory!.GetSpan(piece.Address, (int)piece.Length));
        }
    }

    private void RefuseUnlessRst(VsockHeader header)
    {
        if (header.Op != VsockOp.Rst)
        {
            QueueControl(VsockOp.Rst, header.DestinationPort, header.SourcePort);
        }
    }
}
