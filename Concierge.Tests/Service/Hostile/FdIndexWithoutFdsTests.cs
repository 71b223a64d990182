using System.Runtime.InteropServices;
using Concierge.Service.Protocol;
using Google.Protobuf;
using NUnit.Framework;
using FdType = Concierge.Service.Protocol.StartVmRequest.Types.FdType;

namespace Concierge.Tests.Service.Hostile;

/// <summary>
/// A body that holds fd indices (<c>h</c>) the message has no fds for: any caller the bus lets in
/// can send one, so the service must answer it with one error and carry on serving. (The
/// hand-written D-Bus stack closed its bus connection on these and the service stopped.)
/// </summary>
[TestFixture]
[Category("Bus")]
[NonParallelizable]
public sealed class FdIndexWithoutFdsTests : HostileServiceFixture
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    [Test]
    public void StartVmWithFdsWithoutAUnixFdsField() =>
        AnswersOnceAndServesOn(WithFds(unixFds: null, 0), fdsSent: 0);

    [Test]
    public void StartVmWithFdsWithUnixFdsZero() =>
        AnswersOnceAndServesOn(WithFds(unixFds: 0, 0), fdsSent: 0);

    [Test]
    public void StartVmWithFdsWithAnIndexEqualToTheFdCount() =>
        AnswersOnceAndServesOn(WithFds(unixFds: 1, 1), fdsSent: 1);

    [Test]
    public void StartVmWithFdsWithTheLargestIndex() =>
        AnswersOnceAndServesOn(WithFds(unixFds: 2, uint.MaxValue), fdsSent: 2);

    [Test]
    public void ChromeOsStyleStartVmWithAnFdArgumentItDoesNotDeclare() =>
        // Chrome OS's own StartVm takes (ay, ah); here StartVm is declared (ay) only.
        AnswersOnceAndServesOn(RawMessage.Call(HostileService.Name, HostileService.Root, HostileService.ChromeOs, "StartVm", "ayah",
            b => b.Bytes(Request()).Array(4, a => a.UnixFd(0))), fdsSent: 0);

    private void AnswersOnceAndServesOn(RawMessage message, int fdsSent)
    {
        var service = Service.UniqueName();
        using var client = Service.ConnectMember(negotiateUnixFds: fdsSent > 0);
        var files = Enumerable.Range(0, fdsSent).Select(_ => File.OpenHandle("/dev/null")).ToArray();
        RawReply? reply;
        uint serial;
        try
        {
            serial = client.Send(message, files);
            reply = client.Receive(serial, ReplyTimeout);
        }
        finally
        {
            foreach (var file in files)
            {
                file.Dispose();
            }
        }
        // Replies keep their order on one connection: once the Ping is answered, a second reply
        // to the hostile call would have been read.
        var ping = client.Call(HostileService.Ping(), ReplyTimeout);
        var log = Service.Process.Output;
        TestContext.Out.WriteLine($"answered: {reply}\nthe service's log, to here:\n{(log.Length <= 3000 ? log : log[^3000..])}");

        Assert.Multiple(() =>
        {
            Assert.That(reply, Is.Not.Null, $"no reply within {ReplyTimeout}");
            Assert.That(reply?.IsError, Is.True, $"an error reply, not {reply}");
            // Not the bus's NoReply for a service that went away without answering.
            Assert.That(reply?.Sender, Is.EqualTo(service), $"the service answers itself: {reply}");
            Assert.That(client.RepliesSeen(serial), Is.EqualTo(1), "exactly one reply");
            Assert.That(ping.IsError, Is.False, $"the same connection is still answered: {ping}");
            Assert.That(Service.Process.HasExited, Is.False, "the service still runs");
            Assert.That(Service.OwnedByTheProcess(), Is.True, "the service still owns its name");
        });
    }

    private static RawMessage WithFds(uint? unixFds, params uint[] indices) =>
        RawMessage.Call(HostileService.Name, HostileService.Root, HostileService.ChromeOs, "StartVmWithFds", "ayah",
            b => b.Bytes(Request()).Array(4, a =>
            {
                foreach (var index in indices)
                {
                    a.UnixFd(index);
                }
            })) with { UnixFds = unixFds };

    // A request that says its fds are the kernel, so the service has a reason to read them.
    private static byte[] Request() => new StartVmRequest { Name = "hostile", Fds = { FdType.Kernel } }.ToByteArray();
}
