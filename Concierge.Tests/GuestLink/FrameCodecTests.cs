using System.Buffers.Binary;
using Concierge.GuestLink;
using Concierge.GuestLink.Protocol;
using Google.Protobuf;
using NUnit.Framework;

namespace Concierge.Tests.GuestLink;

[TestFixture, Category("Unit")]
public sealed class FrameCodecTests
{
    private static readonly FrameCodec Codec = new(maxFrameBytes: 1024);

    private static IEnumerable<GuestMessage> GuestMessages()
    {
        yield return new GuestMessage { Hello = new Hello { ProtocolVersion = 1, KernelVersion = "6.1.0-40-amd64", BootTimeUnixMs = 1_700_000_000_000, Hostname = "vm", HeartbeatIntervalMs = 250 } };
        yield return new GuestMessage { Heartbeat = new Heartbeat { Sequence = 7, UptimeMs = 1234, Load1Centi = 52, Load5Centi = 58, Load15Centi = 59, MemoryAvailableKib = 1000, MemoryTotalKib = 2000 } };
        yield return new GuestMessage { ProcessExited = new ProcessExited { Name = "app", Pid = 42, Status = ProcessStatus.Signaled, Code = 9, GaveUp = true } };
        yield return new GuestMessage { ExecResult = new ExecResult { RequestId = 3, Status = ProcessStatus.Exited, Code = -1, Stdout = ByteString.CopyFromUtf8("out"), StderrTruncated = true, TimedOut = true, Error = "e" } };
        yield return new GuestMessage { SetTimeResult = new SetTimeResult { RequestId = 4, Success = false, Error = "EINVAL" } };
        yield return new GuestMessage { ShutdownStarted = new ShutdownStarted { Reason = "host request" } };
    }

    private static IEnumerable<HostMessage> HostMessages()
    {
        var exec = new Exec { RequestId = 9, TimeoutMs = 100, OutputLimitBytes = 10 };
        exec.Argv.Add(["sh", "-c", "true"]);
        exec.Env.Add("A", "b");
        yield return new HostMessage { Exec = exec };
        yield return new HostMessage { Shutdown = new Shutdown { GraceMs = 500 } };
        yield return new HostMessage { SetTime = new SetTime { RequestId = 2, UnixTimeNs = -5 } };
    }

    [Test]
    public async Task EveryGuestMessageRoundTrips()
    {
        foreach (var message in GuestMessages())
        {
            Assert.That(await RoundTripAsync(message, GuestMessage.Parser), Is.EqualTo(message), message.KindCase.ToString());
        }
    }

    [Test]
    public async Task EveryHostMessageRoundTrips()
    {
        foreach (var message in HostMessages())
        {
            Assert.That(await RoundTripAsync(message, HostMessage.Parser), Is.EqualTo(message), message.KindCase.ToString());
        }
    }

    [Test]
    public async Task FramesFollowEachOtherAndCleanEndReturnsNull()
    {
        using var stream = new MemoryStream();
        foreach (var message in GuestMessages())
        {
            await Codec.WriteAsync(stream, message, CancellationToken.None);
        }
        stream.Position = 0;
        foreach (var message in GuestMessages())
        {
            Assert.That(await Codec.ReadAsync(stream, GuestMessage.Parser, CancellationToken.None), Is.EqualTo(message));
        }
        Assert.That(await Codec.ReadAsync(stream, GuestMessage.Parser, CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task LengthIsFourBytesBigEndian()
    {
        using var stream = new MemoryStream();
        var message = GuestMessages().First();
        await Codec.WriteAsync(stream, message, CancellationToken.None);
        var bytes = stream.ToArray();
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(bytes), Is.EqualTo(message.CalculateSize()));
        Assert.That(bytes, Has.Length.EqualTo(4 + message.CalculateSize()));
    }

    [Test]
    public void TruncatedHeaderIsRejected()
    {
        using var stream = new MemoryStream([0, 0]);
        Assert.ThrowsAsync<TruncatedFrameException>(async () => await Codec.ReadAsync(stream, GuestMessage.Parser, CancellationToken.None));
    }

    [Test]
    public async Task TruncatedBodyIsRejected()
    {
        using var whole = new MemoryStream();
        await Codec.WriteAsync(whole, GuestMessages().First(), CancellationToken.None);
        using var cut = new MemoryStream(whole.ToArray()[..^3]);
        Assert.ThrowsAsync<TruncatedFrameException>(async () => await Codec.ReadAsync(cut, GuestMessage.Parser, CancellationToken.None));
    }

    [Test]
    public void OversizedFrameIsRejectedBeforeItsBodyIsRead()
    {
        var bytes = new byte[4 + 2000];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 2000);
        using var stream = new MemoryStream(bytes);
        var error = Assert.ThrowsAsync<FrameTooLargeException>(async () => await Codec.ReadAsync(stream, GuestMessage.Parser, CancellationToken.None));
        Assert.That(error!.Length, Is.EqualTo(2000));
        Assert.That(stream.Position, Is.EqualTo(4), "nothing past the header was read");
    }

    [Test]
    public void HugeAnnouncedLengthIsRejected()
    {
        using var stream = new MemoryStream([0xff, 0xff, 0xff, 0xff]);
        Assert.ThrowsAsync<FrameTooLargeException>(async () => await Codec.ReadAsync(stream, GuestMessage.Parser, CancellationToken.None));
    }

    [Test]
    public void OversizedMessageIsNotWritten()
    {
        using var stream = new MemoryStream();
        var message = new GuestMessage { ExecResult = new ExecResult { Stdout = ByteString.CopyFrom(new byte[2000]) } };
        Assert.ThrowsAsync<FrameTooLargeException>(async () => await Codec.WriteAsync(stream, message, CancellationToken.None));
        Assert.That(stream.Length, Is.Zero);
    }

    [Test]
    public void GarbageBodyIsRejected()
    {
        // Field 1, wire type 2 (length-delimited) announcing 100 bytes that are not there.
        using var stream = new MemoryStream([0, 0, 0, 2, 0x0a, 100]);
        Assert.ThrowsAsync<MalformedFrameException>(async () => await Codec.ReadAsync(stream, GuestMessage.Parser, CancellationToken.None));
    }

    private static async Task<T?> RoundTripAsync<T>(T message, MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        using var stream = new MemoryStream();
        await Codec.WriteAsync(stream, message, CancellationToken.None);
        stream.Position = 0;
        return await Codec.ReadAsync(stream, parser, CancellationToken.None);
    }
}
