namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>
/// One stream connection between a host port and a guest port: the buffers in both directions
/// and the credit accounting of virtio 1.x, 5.10.6.3. Shared by the device worker (packets) and
/// the host's <see cref="VsockStream"/> (reads and writes); all state is guarded by the device's
/// lock, passed in as <c>sync</c>, and every change wakes whoever waits.
/// </summary>
internal sealed class VsockConnection
{
    /// <summary>Host bytes queued towards the guest before a writer must wait.</summary>
    private const int OutboundCapacity = 256 << 10;

    /// <summary>
    /// A credit update is due once the guest believes less than this is free (it has sent this much
    /// past the forward count it last heard), so it never stalls while the host keeps up...
    /// </summary>
    private const uint CreditLowWater = VirtioLimits.VsockConnectionBufferBytes / 2;

    /// <summary>... and once it gives the guest at least this much new room: each update costs an RX packet and an interrupt.</summary>
    private const uint CreditUpdateMinimum = VirtioLimits.VsockConnectionBufferBytes / 4;

    private readonly object _sync;
    private readonly Action _wakeDevice;
    private readonly ByteRing _inbound = new(VirtioLimits.VsockConnectionBufferBytes);
    private readonly ByteRing _outbound = new(OutboundCapacity);
    private TaskCompletionSource _changed = NewSignal();
    private uint _receivedCount;
    private uint _forwardCount;
    private uint _advertisedForwardCount;
    private uint _sentCount;
    private uint _peerBufferAlloc;
    private uint _peerForwardCount;

    public VsockConnection(object sync, Action wakeDevice, uint localPort, uint peerPort, bool established)
    {
        _sync = sync;
        _wakeDevice = wakeDevice;
        LocalPort = localPort;
        PeerPort = peerPort;
        IsEstablished = established;
    }

    /// <summary>The host-side port.</summary>
    public uint LocalPort { get; }

    /// <summary>The guest-side port.</summary>
    public uint PeerPort { get; }

    /// <summary>Completed when a host-initiated connection is answered (RESPONSE) or refused (RST).</summary>
    public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsEstablished { get; private set; }

    /// <summary>Why the connection ended, once it has; the stream then reports EOF or this error.</summary>
    public string? ClosedReason { get; private set; }

    /// <summary>The guest will send no more (SHUTDOWN send): reads end at EOF once drained.</summary>
    public bool PeerSendShutdown { get; private set; }

    /// <summary>The host stream was closed: the device sends SHUTDOWN once the queued data is out.</summary>
    public bool LocalCloseRequested { get; private set; }

    /// <summary>SHUTDOWN went to the guest.</summary>
    public bool ShutdownSent { get; set; }

    /// <summary>The guest asked for our credit, or the host consumed enough that the guest should hear.</summary>
    public bool CreditUpdateWanted { get; set; }

    /// <summary>Bytes the guest may still send us: our receive buffer.</summary>
    public static uint BufferAlloc => VirtioLimits.VsockConnectionBufferBytes;

    /// <summary>Bytes of host data we may send the guest now (its advertised space).</summary>
    public uint PeerCredit
    {
        get
        {
            var inFlight = _sentCount - _peerForwardCount;
            return inFlight >= _peerBufferAlloc ? 0 : _peerBufferAlloc - inFlight;
        }
    }

    /// <summary>Host bytes waiting for the guest.</summary>
    public int OutboundCount => _outbound.Count;

    /// <summary>Whether the device has a packet to send on this connection (caller holds the lock).</summary>
    public bool HasPacketToSend =>
        IsEstablished && ClosedReason is null &&
        ((_outbound.Count > 0 && PeerCredit > 0) || CreditUpdateWanted || (LocalCloseRequested && _outbound.Count == 0 && !ShutdownSent));

    /// <summary>The forward count to put in a packet header; records that the guest now knows it.</summary>
    public uint AdvertiseForwardCount()
    {
        _advertisedForwardCount = _forwardCount;
        return _forwardCount;
    }

    /// <summary>Takes the guest's buf_alloc/fwd_cnt from any packet it sent (caller holds the lock).</summary>
    public void UpdatePeerCredit(uint bufferAlloc, uint forwardCount)
    {
        _peerBufferAlloc = bufferAlloc;
        _peerForwardCount = forwardCount;
        SignalChanged();
    }

    /// <summary>RESPONSE from the guest to our REQUEST.</summary>
    public void MarkEstablished()
    {
        IsEstablished = true;
        Connected.TrySetResult();
        SignalChanged();
    }

    /// <summary>Room left in the receive buffer (caller holds the lock).</summary>
    public int InboundFree => _inbound.Free;

    /// <summary>Appends guest data already checked against <see cref="InboundFree"/>.</summary>
    public void AppendInbound(ReadOnlySpan<byte> data)
    {
        _receivedCount += (uint)_inbound.Write(data);
        SignalChanged();
    }

    /// <summary>Moves queued host data into <paramref name="destination"/> (a guest buffer) for an RW packet.</summary>
    public int TakeOutbound(Span<byte> destination)
    {
        var taken = _outbound.Read(destination);
        _sentCount += (uint)taken;
        SignalChanged();
        return taken;
    }

    /// <summary>Bytes the next RW packet may carry.</summary>
    public int SendableBytes(int room) => (int)Math.Min((uint)Math.Min(room, _outbound.Count), PeerCredit);

    /// <summary>The guest shut down one or both directions.</summary>
    public void PeerShutdown(uint flags)
    {
        if ((flags & VsockHeader.ShutdownSend) != 0)
        {
            PeerSendShutdown = true;
        }
        SignalChanged();
    }

    /// <summary>The connection is over (RST either way, device reset); waiters see <paramref name="reason"/>.</summary>
    public void Close(string reason)
    {
        ClosedReason ??= reason;
        Connected.TrySetException(new VsockException(reason));
        SignalChanged();
    }

    /// <summary>The host closed its stream.</summary>
    public void RequestLocalClose()
    {
        lock (_sync)
        {
            LocalCloseRequested = true;
        }
        _wakeDevice();
    }

    /// <summary>Host read: waits for data, returns 0 at EOF (guest shut down sending, or the connection closed).</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_sync)
            {
                if (_inbound.Count > 0 || buffer.IsEmpty)
                {
                    var read = _inbound.Read(buffer.Span);
                    _forwardCount += (uint)read;
                    if (BufferAlloc - (_receivedCount - _advertisedForwardCount) < CreditLowWater
                        && _forwardCount - _advertisedForwardCount >= CreditUpdateMinimum)
                    {
                        // The guest is running out of credit: tell it about the space we freed. (A
                        // guest that ran out entirely has sent a whole buffer since it last heard;
                        // draining that buffer always passes both checks, so it cannot stall.)
                        CreditUpdateWanted = true;
                        _wakeDevice();
                    }
                    return read;
                }
                if (PeerSendShutdown || ClosedReason is not null)
                {
                    return 0;
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Host write: queues all of <paramref name="data"/>, waiting for room; fails once the connection is closed.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            Task changed;
            lock (_sync)
            {
                if (ClosedReason is not null)
                {
                    throw new VsockException($"vsock connection to guest port {PeerPort} is closed: {ClosedReason}");
                }
                ObjectDisposedException.ThrowIf(LocalCloseRequested, typeof(VsockStream));
                var written = _outbound.Write(data.Span);
                data = data[written..];
                changed = _changed.Task;
                if (written > 0)
                {
                    _wakeDevice();
                    continue;
                }
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void SignalChanged()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
