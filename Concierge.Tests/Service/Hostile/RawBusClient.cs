using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Concierge.Tests.TestSupport;

namespace Concierge.Tests.Service.Hostile;

/// <summary>A uid, primary gid and supplementary groups to connect to the bus as.</summary>
public sealed record UnixIdentity(uint Uid, uint Gid, uint[] Groups)
{
    /// <summary>The identity <c>id</c> reports for <paramref name="user"/>.</summary>
    public static async Task<UnixIdentity> OfUserAsync(string user)
    {
        static async Task<uint[]> Id(string option, string user) =>
            [.. (await Command.RunCheckedAsync("id", option, user)).StandardOutput
                .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(n => uint.Parse(n, System.Globalization.CultureInfo.InvariantCulture))];
        return new UnixIdentity((await Id("-u", user))[0], (await Id("-g", user))[0], await Id("-G", user));
    }
}

/// <summary>A message from the bus: what a test needs of a reply (or of anything else that came).</summary>
public sealed record RawReply(byte Type, uint Serial, uint? ReplySerial, string? ErrorName, string? Sender, string Signature, byte[] Body)
{
    public const byte MethodReturn = 2;
    public const byte Error = 3;

    public bool IsError => Type == Error;

    /// <summary>The body's first value when it is an <c>s</c> (error text, a unique name).</summary>
    public string? FirstString() =>
        Signature.StartsWith('s') && Body.Length >= 4
            ? Encoding.UTF8.GetString(Body, 4, (int)BinaryPrimitives.ReadUInt32LittleEndian(Body))
            : null;

    /// <summary>The body's first value when it is a <c>u</c>.</summary>
    public uint? FirstUInt32() => Signature.StartsWith('u') ? BinaryPrimitives.ReadUInt32LittleEndian(Body) : null;

    public override string ToString() => (IsError ? $"error {ErrorName}: {FirstString()}" : $"type {Type} ({Signature})") + $" from {Sender}";
}

/// <summary>
/// A D-Bus client that writes and reads wire bytes itself, so it judges a service from outside
/// whatever D-Bus library the service uses. One unix socket, SASL EXTERNAL, Hello; messages go out
/// as given (fds by SCM_RIGHTS), replies are matched by reply serial. Every wait has a deadline and
/// every incoming size a cap; nothing runs in the background.
/// </summary>
public sealed partial class RawBusClient : IDisposable
{
    public const string BusName = "org.freedesktop.DBus";
    public const string BusPath = "/org/freedesktop/DBus";

    // The protocol's own cap on a message (the spec's 128 MiB): anything longer is not D-Bus.
    private const int MaxIncomingMessage = 128 << 20;
    // Replies to serials nobody waits for yet are kept; a bus that floods us beyond this is a bug.
    private const int MaxStashed = 100_000;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(20);

    private readonly Socket _socket;
    private readonly Dictionary<uint, RawReply> _stash = [];
    private readonly Dictionary<uint, int> _repliesSeen = [];
    private byte[] _buffer = new byte[64 * 1024];
    private int _filled;
    private uint _nextSerial = 1;

    private RawBusClient(Socket socket) => _socket = socket;

    /// <summary>The unique name the bus gave this connection.</summary>
    public string UniqueName { get; private set; } = "";

    /// <summary>False once the peer closed the connection (the bus drops senders of malformed messages).</summary>
    public bool IsOpen { get; private set; } = true;

    /// <summary>
    /// Connects to <paramref name="address"/> (unix:path=...), as <paramref name="identity"/> when
    /// given, authenticates, optionally negotiates fd passing, and says Hello.
    /// </summary>
    public static RawBusClient Connect(string address, UnixIdentity? identity = null, bool negotiateUnixFds = false)
    {
        var endpoint = new UnixDomainSocketEndPoint(SocketPath(address));
        var socket = identity is null ? ConnectSocket(endpoint) : ConnectSocketAs(endpoint, identity);
        var client = new RawBusClient(socket);
        try
        {
            socket.SendTimeout = (int)TimeSpan.FromSeconds(60).TotalMilliseconds;
            client.Authenticate(identity?.Uid ?? Geteuid(), negotiateUnixFds);
            var hello = client.Call(new RawMessage(BusName, BusPath, BusName, "Hello", "", []), HandshakeTimeout);
            client.UniqueName = hello.FirstString() ?? throw new InvalidDataException($"Hello answered {hello}");
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends <paramref name="message"/> with the next serial; returns the serial.</summary>
    public uint Send(RawMessage message, IReadOnlyList<SafeHandle>? fds = null)
    {
        var serial = _nextSerial++;
        SendBytes(message.Encode(serial), fds);
        return serial;
    }

    /// <summary>Sends <paramref name="bytes"/> as they are, as one message, with <paramref name="fds"/> attached to its first byte.</summary>
    public void SendBytes(ReadOnlySpan<byte> bytes, IReadOnlyList<SafeHandle>? fds = null)
    {
        var sent = 0;
        try
        {
            if (fds is { Count: > 0 })
            {
                sent = SendWithFds(bytes, fds);
            }
            while (sent < bytes.Length)
            {
                sent += _socket.Send(bytes[sent..], SocketFlags.None);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            IsOpen = false;
            throw new EndOfStreamException("the bus closed the connection while we sent", e);
        }
    }

    /// <summary>
    /// The reply to <paramref name="serial"/>, or null when none came within <paramref name="timeout"/>.
    /// Throws <see cref="EndOfStreamException"/> when the connection closes first.
    /// </summary>
    public RawReply? Receive(uint serial, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_stash.Remove(serial, out var stashed))
            {
                return stashed;
            }
            while (TryTakeMessage() is { } message)
            {
                if (message.ReplySerial is not { } replyTo)
                {
                    continue; // signals and the like: not what anyone here waits for
                }
                _repliesSeen[replyTo] = _repliesSeen.GetValueOrDefault(replyTo) + 1;
                if (replyTo == serial)
                {
                    return message;
                }
                if (_stash.Count >= MaxStashed)
                {
                    throw new InvalidDataException($"{MaxStashed} replies nobody asked for");
                }
                _stash[replyTo] = message;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return null;
            }
            Fill(left);
        }
    }

    /// <summary>Sends and waits for the reply; a timeout is an exception here.</summary>
    public RawReply Call(RawMessage message, TimeSpan timeout, IReadOnlyList<SafeHandle>? fds = null) =>
        Receive(Send(message, fds), timeout) ?? throw new TimeoutException($"no reply to {message.Interface}.{message.Member} within {timeout}");

    /// <summary>How many replies to <paramref name="serial"/> have arrived so far (a second one is a bug).</summary>
    public int RepliesSeen(uint serial) => _repliesSeen.GetValueOrDefault(serial);

    public void Dispose() => _socket.Dispose();

    private static string SocketPath(string address)
    {
        var unix = address.Split(';')[0];
        if (!unix.StartsWith("unix:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"not a unix address: {address}", nameof(address));
        }
        foreach (var part in unix["unix:".Length..].Split(','))
        {
            if (part.StartsWith("path=", StringComparison.Ordinal))
            {
                return Uri.UnescapeDataString(part["path=".Length..]);
            }
        }
        throw new ArgumentException($"no path= in {address}", nameof(address));
    }

    private static Socket ConnectSocket(UnixDomainSocketEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(endpoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The bus learns a peer's uid and groups from the socket (SO_PEERCRED, SO_PEERGROUPS), which
    /// the kernel takes from the connecting thread's credentials. So a fresh thread drops to
    /// <paramref name="identity"/> with raw syscalls (glibc's wrappers would change every thread of
    /// the test process), connects, and ends: its credentials end with it, the socket stays.
    /// </summary>
    private static Socket ConnectSocketAs(UnixDomainSocketEndPoint endpoint, UnixIdentity identity)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                SetThreadCredentials(identity);
                socket = ConnectSocket(endpoint);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        if (!thread.Join(HandshakeTimeout))
        {
            throw new TimeoutException($"connecting as uid {identity.Uid} took over {HandshakeTimeout}");
        }
        return socket ?? throw new IOException($"could not connect as uid {identity.Uid}", failure);
    }

    private static unsafe void SetThreadCredentials(UnixIdentity identity)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("syscall numbers are x86-64's");
        }
        const long setgroups = 116, setresgid = 119, setresuid = 117;
        fixed (uint* groups = identity.Groups)
        {
            Check(Syscall(setgroups, identity.Groups.Length, (long)groups, 0), "setgroups");
        }
        Check(Syscall(setresgid, identity.Gid, identity.Gid, identity.Gid), "setresgid");
        Check(Syscall(setresuid, identity.Uid, identity.Uid, identity.Uid), "setresuid");

        static void Check(long result, string call)
        {
            if (result != 0)
            {
                throw new IOException($"{call}: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    private void Authenticate(uint uid, bool negotiateUnixFds)
    {
        var hexUid = Convert.ToHexString(Encoding.ASCII.GetBytes(uid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        SendBytes(Encoding.ASCII.GetBytes($"\0AUTH EXTERNAL {hexUid}\r\n"));
        var ok = ReadLine();
        if (!ok.StartsWith("OK ", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"AUTH EXTERNAL answered '{ok}'");
        }
        if (negotiateUnixFds)
        {
            SendBytes("NEGOTIATE_UNIX_FD\r\n"u8);
            var agreed = ReadLine();
            if (agreed != "AGREE_UNIX_FD")
            {
                throw new InvalidDataException($"NEGOTIATE_UNIX_FD answered '{agreed}'");
            }
        }
        SendBytes("BEGIN\r\n"u8);
    }

    // Byte by byte, so nothing after the line (the first binary message) is swallowed.
    private string ReadLine()
    {
        var deadline = DateTime.UtcNow + HandshakeTimeout;
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < 1024)
        {
            if (!_socket.Poll(Remaining(deadline), SelectMode.SelectRead) || _socket.Receive(one) == 0)
            {
                throw new EndOfStreamException($"the bus said '{line}' and then nothing");
            }
            if (one[0] == '\n' && line.Length > 0 && line[^1] == '\r')
            {
                return line.ToString(0, line.Length - 1);
            }
            line.Append((char)one[0]);
        }
        throw new InvalidDataException("a SASL line over 1 KiB");
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private void Fill(TimeSpan timeout)
    {
        if (!IsOpen)
        {
            throw new EndOfStreamException("the bus closed the connection");
        }
        if (!_socket.Poll(timeout, SelectMode.SelectRead))
        {
            return;
        }
        if (_filled == _buffer.Length)
        {
            System.Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        int read;
        try
        {
            read = _socket.Receive(_buffer, _filled, _buffer.Length - _filled, SocketFlags.None);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            read = 0;
        }
        if (read == 0)
        {
            IsOpen = false;
            throw new EndOfStreamException("the bus closed the connection");
        }
        _filled += read;
    }

    /// <summary>One whole message off the front of the buffer, or null while it is still incomplete.</summary>
    private RawReply? TryTakeMessage()
    {
        if (_filled < 16)
        {
            return null;
        }
        if (_buffer[0] != 'l')
        {
            throw new InvalidDataException($"a message in byte order '{(char)_buffer[0]}': this client reads little-endian only");
        }
        var bodyLength = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(4));
        var fieldsLength = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(12));
        var headerLength = Align(16 + (long)fieldsLength, 8);
        var total = headerLength + bodyLength;
        if (total > MaxIncomingMessage)
        {
            throw new InvalidDataException($"a {total}-byte message from the bus");
        }
        if (_filled < total)
        {
            if (_buffer.Length < total)
            {
                System.Array.Resize(ref _buffer, (int)total);
            }
            return null;
        }
        var message = Parse(_buffer.AsSpan(0, (int)total), (int)fieldsLength, (int)headerLength);
        _buffer.AsSpan((int)total, _filled - (int)total).CopyTo(_buffer);
        _filled -= (int)total;
        return message;
    }

    private static RawReply Parse(ReadOnlySpan<byte> message, int fieldsLength, int headerLength)
    {
        uint? replySerial = null;
        string? errorName = null;
        string? sender = null;
        var signature = "";
        var at = 16;
        while (at < 16 + fieldsLength)
        {
            at = (int)Align(at, 8);
            var code = message[at];
            var type = (char)message[at + 2];
            at += 3 + message[at + 1];
            switch (type)
            {
                case 'u':
                    at = (int)Align(at, 4);
                    if (code == 5)
                    {
                        replySerial = BinaryPrimitives.ReadUInt32LittleEndian(message[at..]);
                    }
                    at += 4;
                    break;
                case 's' or 'o':
                    at = (int)Align(at, 4);
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(message[at..]);
                    var text = Encoding.UTF8.GetString(message.Slice(at + 4, length));
                    errorName = code == 4 ? text : errorName;
                    sender = code == 7 ? text : sender;
                    at += 4 + length + 1;
                    break;
                case 'g':
                    if (code == 8)
                    {
                        signature = Encoding.ASCII.GetString(message.Slice(at + 1, message[at]));
                    }
                    at += 1 + message[at] + 1;
                    break;
                case 'y':
                    at += 1;
                    break;
                default:
                    throw new InvalidDataException($"header field {code} of type '{type}' from the bus");
            }
        }
        return new RawReply(message[1], BinaryPrimitives.ReadUInt32LittleEndian(message[8..]), replySerial, errorName, sender, signature,
            message[headerLength..].ToArray());
    }

    private static long Align(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

    private unsafe int SendWithFds(ReadOnlySpan<byte> bytes, IReadOnlyList<SafeHandle> fds)
    {
        const int solSocket = 1, scmRights = 1, msgNoSignal = 0x4000;
        var dataLength = fds.Count * sizeof(int);
        var control = stackalloc byte[sizeof(CmsgHdr) + ((dataLength + 7) & ~7)];
        var header = (CmsgHdr*)control;
        header->Length = (nuint)(sizeof(CmsgHdr) + dataLength);
        header->Level = solSocket;
        header->Type = scmRights;
        var added = new bool[fds.Count];
        try
        {
            for (var i = 0; i < fds.Count; i++)
            {
                fds[i].DangerousAddRef(ref added[i]);
                ((int*)(control + sizeof(CmsgHdr)))[i] = (int)fds[i].DangerousGetHandle();
            }
            fixed (byte* data = bytes)
            {
                var vector = new IoVec { Base = data, Length = (nuint)bytes.Length };
                var message = new MsgHdr { Iov = &vector, IovLength = 1, Control = control, ControlLength = header->Length };
                var sent = Sendmsg(_socket.SafeHandle, &message, msgNoSignal);
                return sent >= 0 ? (int)sent : throw new IOException($"sendmsg: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            for (var i = 0; i < fds.Count; i++)
            {
                if (added[i])
                {
                    fds[i].DangerousRelease();
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    private static unsafe partial nint Sendmsg(SafeHandle socket, MsgHdr* message, int flags);

    // glibc's syscall(2) copies its arguments to registers as they are: the raw, per-thread call.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long first, long second, long third);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint Geteuid();

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }
}
