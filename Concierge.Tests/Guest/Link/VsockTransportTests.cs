using System.Runtime.InteropServices;
using Concierge.Guest.Link;
using Concierge.GuestLink;
using Concierge.Guest.Native;
using Concierge.GuestLink.Protocol;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Link;

/// <summary>
/// The vsock transport's pieces that run without a VM: the address layout, creating the
/// socket, and the fd stream the link runs over (checked over a Unix socketpair). Connecting
/// needs our VMM's virtio-vsock device: that is a Kvm test.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class VsockTransportTests
{
    [Test]
    public void SockaddrVmMatchesTheKernelLayout()
    {
        Assert.That(Marshal.SizeOf<Libc.SockaddrVm>(), Is.EqualTo(16));
        Assert.That(Marshal.OffsetOf<Libc.SockaddrVm>(nameof(Libc.SockaddrVm.Port)), Is.EqualTo((nint)4));
        Assert.That(Marshal.OffsetOf<Libc.SockaddrVm>(nameof(Libc.SockaddrVm.Cid)), Is.EqualTo((nint)8));
    }

    [Test]
    public void VsockSocketsCanBeMadeAndWrapped()
    {
        // This machine is itself a VM with AF_VSOCK; the socket is never connected.
        var fd = Libc.SocketFd(Libc.AF_VSOCK, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
        using var stream = SocketFileStream.Open(fd);
        Assert.That(stream.CanRead && stream.CanWrite, Is.True);
    }

    [Test]
    public async Task FdStreamCarriesFramesBothWaysAtOnce()
    {
        var (left, right) = SocketPair();
        using var guest = SocketFileStream.Open(left);
        using var host = SocketFileStream.Open(right);
        var codec = new FrameCodec();
        // A read is pending on each side while the other side writes: the link's pattern.
        var hostReads = codec.ReadAsync(host, GuestMessage.Parser, CancellationToken.None).AsTask();
        var guestReads = codec.ReadAsync(guest, HostMessage.Parser, CancellationToken.None).AsTask();
        var bound = TimeSpan.FromSeconds(30);
        await codec.WriteAsync(guest, new GuestMessage { Heartbeat = new Heartbeat { Sequence = 1 } }, CancellationToken.None).AsTask().WaitAsync(bound);
        await codec.WriteAsync(host, new HostMessage { Shutdown = new Shutdown { GraceMs = 2 } }, CancellationToken.None).AsTask().WaitAsync(bound);
        Assert.That((await hostReads.WaitAsync(bound))!.Heartbeat.Sequence, Is.EqualTo(1));
        Assert.That((await guestReads.WaitAsync(bound))!.Shutdown.GraceMs, Is.EqualTo(2));
    }

    [Test]
    public async Task DisposingEndsAReadBlockedInTheKernel()
    {
        var (left, right) = SocketPair();
        var guest = SocketFileStream.Open(left);
        using var host = SocketFileStream.Open(right);
        var read = guest.ReadAsync(new byte[16]).AsTask();
        await Task.Delay(100);
        Assert.That(read.IsCompleted, Is.False, "nothing was sent yet");

        await guest.DisposeAsync();

        Assert.That(await read.WaitAsync(TimeSpan.FromSeconds(30)), Is.Zero, "the blocked read ends at end-of-stream");
        Assert.That(host.Read(new byte[1]), Is.Zero, "the peer sees the shutdown too");
    }

    [Test]
    public void TransportAddressesParse()
    {
        Assert.That(HostTransports.Parse("vsock:2:7777").Describe(), Is.EqualTo("vsock:2:7777"));
        Assert.That(HostTransports.Parse("unix:/run/x.sock").Describe(), Is.EqualTo("unix:/run/x.sock"));
        Assert.Throws<Concierge.Guest.Config.ConfigException>(() => HostTransports.Parse("tcp:1.2.3.4:5"));
        Assert.Throws<Concierge.Guest.Config.ConfigException>(() => HostTransports.Parse("vsock:2"));
    }

    private static unsafe (int, int) SocketPair()
    {
        var fds = stackalloc int[2];
        Assert.That(Libc.Socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, fds), Is.Zero);
        return (fds[0], fds[1]);
    }
}
