using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Concierge.DBus.Interop;
using Concierge.DBus.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Concierge.DBus.Transport;

/// <summary>
/// A connected, blocking AF_UNIX stream socket that sends and receives bytes together with fds
/// (SCM_RIGHTS). Sends are serialized by one lock so messages never interleave; the fds of a message
/// ride on its first chunk only, so the peer sees them exactly once and with the right message.
/// </summary>
internal sealed unsafe class UnixSocketTransport : IDisposable
{
    private readonly Socket _socket;
    private readonly Lock _sendLock = new();
    private readonly byte[] _control = new byte[LibC.ControlSpace(sizeof(int) * ProtocolLimits.MaxUnixFdsPerMessage)];

    private UnixSocketTransport(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Connects to a filesystem path or (when <paramref name="abstractName"/>) an abstract socket name.</summary>
    public static UnixSocketTransport Connect(string name, bool abstractName)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Synchronous connect keeps the fd in blocking mode, which the raw recvmsg loop relies on.
            socket.Connect(new UnixDomainSocketEndPoint(abstractName ? "\0" + name : name));
            socket.Blocking = true;
            return new UnixSocketTransport(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Wraps an already connected blocking AF_UNIX stream socket (tests feed raw bytes this way).</summary>
    internal static UnixSocketTransport FromConnectedSocket(Socket socket)
    {
        socket.Blocking = true;
        return new UnixSocketTransport(socket);
    }

    /// <summary>Sets how long a receive may block (used only during authentication); zero means forever.</summary>
    public void SetReceiveTimeout(TimeSpan timeout) => _socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;

    /// <summary>Sends all of <paramref name="data"/>, with <paramref name="fds"/> attached to the first chunk.</summary>
    public void Send(ReadOnlySpan<byte> data, IReadOnlyList<SafeHandle> fds)
    {
        lock (_sendLock)
        {
            var added = 0;
            try
            {
                Span<int> rawFds = stackalloc int[fds.Count];
                for (; added < fds.Count; added++)
                {
                    var ok = false;
                    fds[added].DangerousAddRef(ref ok);
                    rawFds[added] = (int)fds[added].DangerousGetHandle();
                }
                SendLocked(data, rawFds);
            }
            finally
            {
                for (var i = 0; i < added; i++)
                {
                    fds[i].DangerousRelease();
                }
            }
        }
    }

    /// <summary>
    /// Receives up to <paramref name="buffer"/>.Length bytes (blocking); fds that arrive are appended to
    /// <paramref name="receivedFds"/> as owned handles. Returns 0 at end of stream.
    /// </summary>
    public int Receive(Span<byte> buffer, List<SafeFileHandle> receivedFds)
    {
        fixed (byte* data = buffer)
        fixed (byte* control = _control)
        {
            var iov = new LibC.IoVec { Base = data, Length = (nuint)buffer.Length };
            var header = new LibC.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)_control.Length };
            nint received;
            // SAFETY: iov and control point at pinned buffers of the stated lengths for the duration of the call.
            while ((received = LibC.recvmsg(_socket.SafeHandle, &header, LibC.MSG_CMSG_CLOEXEC)) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    throw new IOException($"recvmsg failed: {new Win32Exception(errno).Message}", errno);
                }
            }
            // SAFETY: the kernel filled at most ControlLength bytes of the pinned control buffer.
            CollectFds(control, (int)header.ControlLength, receivedFds);
            if ((header.Flags & LibC.MSG_CTRUNC) != 0)
            {
                throw new DBusProtocolException("peer sent more fds than one message may carry");
            }
            return (int)received;
        }
    }

    /// <summary>Ends both directions so a blocked receive returns; safe to call more than once.</summary>
    public void Shutdown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already disconnected: nothing to wake.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _socket.Dispose();

    private void SendLocked(ReadOnlySpan<byte> data, ReadOnlySpan<int> fds)
    {
        var controlLength = fds.Length == 0 ? 0 : LibC.ControlSpace(sizeof(int) * fds.Length);
        var control = stackalloc byte[Math.Max(controlLength, 1)];
        if (controlLength > 0)
        {
            new Span<byte>(control, controlLength).Clear();
            var cmsg = (LibC.CMsgHdr*)control;
            cmsg->Length = (nuint)(sizeof(LibC.CMsgHdr) + (sizeof(int) * fds.Length));
            cmsg->Level = LibC.SOL_SOCKET;
            cmsg->Type = LibC.SCM_RIGHTS;
            fds.CopyTo(new Span<int>(control + sizeof(LibC.CMsgHdr), fds.Length));
        }
        var offset = 0;
        fixed (byte* bytes = data)
        {
            while (offset < data.Length)
            {
                var iov = new LibC.IoVec { Base = bytes + offset, Length = (nuint)(data.Length - offset) };
                var header = new LibC.MsgHdr { Iov = &iov, IovLength = 1 };
                if (offset == 0 && controlLength > 0)
                {
                    header.Control = control;
                    header.ControlLength = (nuint)controlLength;
                }
                // SAFETY: iov points into the pinned data; control is a stack buffer of controlLength bytes.
                var sent = LibC.sendmsg(_socket.SafeHandle, &header, LibC.MSG_NOSIGNAL);
                if (sent < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EINTR)
                    {
                        continue;
                    }
                    throw new IOException($"sendmsg failed: {new Win32Exception(errno).Message}", errno);
                }
                offset += (int)sent;
            }
        }
    }

    private static void CollectFds(byte* control, int length, List<SafeFileHandle> receivedFds)
    {
        var offset = 0;
        while (offset + sizeof(LibC.CMsgHdr) <= length)
        {
            var cmsg = (LibC.CMsgHdr*)(control + offset);
            var cmsgLength = (int)cmsg->Length;
            if (cmsgLength < sizeof(LibC.CMsgHdr) || offset + cmsgLength > length)
            {
                break;
            }
            if (cmsg->Level == LibC.SOL_SOCKET && cmsg->Type == LibC.SCM_RIGHTS)
            {
                var count = (cmsgLength - sizeof(LibC.CMsgHdr)) / sizeof(int);
                var fds = (int*)(control + offset + sizeof(LibC.CMsgHdr));
                for (var i = 0; i < count; i++)
                {
                    receivedFds.Add(new SafeFileHandle(fds[i], ownsHandle: true));
                }
            }
            offset += (cmsgLength + 7) & ~7;
        }
    }
}
