using System.Buffers.Binary;

namespace Concierge.Vmm.Devices.Virtio.Vsock;

/// <summary>
/// virtio-vsock in user space: the guest's stream sockets end in this process. The guest reaches
/// host port P (CID 2) through <see cref="Listen"/>; the host reaches guest ports through
/// <see cref="ConnectAsync"/>. Queues: 0 RX (device to guest), 1 TX (guest to device), 2 events
/// (unused: no transport resets are ever sent).
/// </summary>
/// <remarks>
/// Threading: packets are handled on the device worker; host streams run on any thread. Both
/// meet in connection state guarded by one lock, and host-side changes wake the worker. Credit
/// flow follows virtio 1.x, 5.10.6.3: a guest that sends past the space we advertised is reset.
/// </remarks>
public sealed partial class VsockDevice : VirtioDevice
{
    /// <summary>The host's CID.</summary>
    public const ulong HostCid = 2;

    private const int RxQueue = 0;
    private const int TxQueue = 1;
    private const int EventQueue = 2;
    private const int ConfigBytes = 8;
    private const uint FirstEphemeralPort = 1u << 30;
    private const int MaxQueuedControlPackets = 1024;

    private readonly object _sync = new();
    private readonly Dictionary<(uint Local, uint Peer), VsockConnection> _connections = [];
    private readonly Dictionary<uint, VsockListener> _listeners = [];
    private readonly Queue<(VsockOp Op, uint LocalPort, uint PeerPort)> _control = new();
    private uint _nextEphemeralPort = FirstEphemeralPort;

    /// <summary>Creates the device for a VM whose context ID is <paramref name="guestCid"/> (3 or more).</summary>
    public VsockDevice(ulong guestCid) : base(VirtioDeviceType.Vsock, deviceFeatures: 0, queueCount: EventQueue + 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(guestCid, 3UL);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(guestCid, 0xFFFF_FFFFUL);
        GuestCid = guestCid;
    }

    /// <summary>The guest's context ID.</summary>
    public ulong GuestCid { get; }

    /// <summary>Open connections (both directions).</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_sync)
            {
                return _connections.Count;
            }
        }
    }

    /// <inheritdoc />
    public override int ConfigSize => ConfigBytes;

    /// <summary>TX: the guest kicks it for every burst it sends; RX kicks only come when we ran out of buffers.</summary>
    public override int DirectDoorbellQueue => TxQueue;

    /// <inheritdoc />
    public override void ReadConfig(int offset, Span<byte> data)
    {
        Span<byte> config = stackalloc byte[ConfigBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(config, GuestCid);
        data.Clear();
        if (offset >= 0 && offset < ConfigBytes)
        {
            var available = config[offset..];
            available[..Math.Min(available.Length, data.Length)].CopyTo(data);
        }
    }

    /// <summary>Accepts the guest's connections to host port <paramref name="port"/>.</summary>
    /// <exception cref="InvalidOperationException">Something already listens on the port.</exception>
    public IVsockListener Listen(uint port)
    {
        lock (_sync)
        {
            if (_listeners.ContainsKey(port))
            {
                throw new InvalidOperationException($"vsock port {port} already has a listener");
            }
            var listener = new VsockListener(port, Unlisten);
            _listeners.Add(port, listener);
            return listener;
        }
    }

    /// <summary>Connects to guest port <paramref name="guestPort"/>; completes when the guest accepts.</summary>
    /// <exception cref="VsockException">The guest refused (nothing listens), the device was reset, or the connection limit is reached.</exception>
    public async Task<VsockStream> ConnectAsync(uint guestPort, CancellationToken cancellationToken = default)
    {
        VsockConnection connection;
        lock (_sync)
        {
            if (_connections.Count >= VirtioLimits.VsockMaxConnections)
            {
                throw new VsockException($"this VM already has {VirtioLimits.VsockMaxConnections} vsock connections");
            }
            connection = new VsockConnection(_sync, WakeWorker, AllocateEphemeralPort(guestPort), guestPort, established: false);
            _connections.Add((connection.LocalPort, guestPort), connection);
            _control.Enqueue((VsockOp.Request, connection.LocalPort, guestPort));
        }
        WakeWorker();
        try
        {
            await connection.Connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_sync)
            {
                Remove(connection, "connect cancelled by the host");
                QueueControl(VsockOp.Rst, connection.LocalPort, guestPort);
            }
            WakeWorker();
            throw;
        }
        return new VsockStream(connection);
    }

    /// <inheritdoc />
    protected override void ProcessQueues(Func<bool> stopRequested)
    {
        DrainQueue(TxQueue, HandleTransmit, stopRequested);
        FillReceiveQueue(stopRequested);
    }

    /// <inheritdoc />
    protected override void OnReset() => CloseAll("the guest reset the vsock device");

    /// <inheritdoc />
    protected override void OnBroken(string reason) => CloseAll($"the vsock device broke: {reason}");

    private void CloseAll(string reason)
    {
        lock (_sync)
        {
            foreach (var connection in _connections.Values)
            {
                connection.Close(reason);
            }
            _connections.Clear();
            _control.Clear();
        }
    }

    private void Unlisten(VsockListener listener)
    {
        lock (_sync)
        {
            _listeners.Remove(listener.Port);
        }
    }

    private uint AllocateEphemeralPort(uint guestPort)
    {
        // At most VsockMaxConnections ports are in use, so this finds a free one quickly.
        while (true)
        {
            var port = _nextEphemeralPort;
            _nextEphemeralPort = _nextEphemeralPort == uint.MaxValue ? FirstEphemeralPort : _nextEphemeralPort + 1;
            if (!_connections.ContainsKey((port, guestPort)) && !_listeners.ContainsKey(port))
            {
                return port;
            }
        }
    }

    private void Remove(VsockConnection connection, string reason)
    {
        _connections.Remove((connection.LocalPort, connection.PeerPort));
        connection.Close(reason);
    }

    private void QueueControl(VsockOp op, uint localPort, uint peerPort)
    {
        // RSTs answer guest packets; a guest that sends junk without RX buffers cannot grow this without bound.
        if (_control.Count < MaxQueuedControlPackets)
        {
            _control.Enqueue((op, localPort, peerPort));
        }
    }

    private VsockHeader HeaderFor(VsockOp op, uint localPort, uint peerPort, uint length = 0, uint flags = 0)
    {
        var known = _connections.TryGetValue((localPort, peerPort), out var connection);
        return new VsockHeader(
            HostCid, GuestCid, localPort, peerPort, length, VsockHeader.TypeStream, op, flags,
            known ? VsockConnection.BufferAlloc : 0,
            known ? connection!.AdvertiseForwardCount() : 0);
    }
}
