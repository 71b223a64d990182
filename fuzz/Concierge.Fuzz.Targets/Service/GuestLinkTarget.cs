using Concierge.GuestLink;
using Concierge.GuestLink.Protocol;
using Concierge.Service.Runtime;
using Google.Protobuf;

namespace Concierge.Fuzz.Targets.Service;

/// <summary>
/// The host side of the guest link: the production <see cref="GuestLinkServer"/> accepts one
/// connection whose bytes are the input, reads its frames with <see cref="FrameCodec"/> and
/// dispatches the guest's messages (hello, heartbeats, replies nobody asked for, ...) until the
/// stream ends or the guest breaks the protocol, which must end only that connection.
/// </summary>
/// <remarks>Input: one byte, the most bytes one read returns minus one (vsock reads come in pieces), then the stream.</remarks>
public sealed class GuestLinkTarget : IFuzzTarget
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public string Name => "guest-link";

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input) => RunAsync(input.IsEmpty ? 1 : input[0] + 1, input.IsEmpty ? [] : input[1..].ToArray()).GetAwaiter().GetResult();

    /// <inheritdoc />
    public IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        var hello = new GuestMessage { Hello = new Hello { KernelVersion = "6.1.0-fuzz", Hostname = "guest" } };
        var heartbeat = new GuestMessage { Heartbeat = new Heartbeat { Sequence = 1, UptimeMs = 1000 } };
        var reply = new GuestMessage { ExecResult = new ExecResult { RequestId = 7 } };
        yield return ("hello-heartbeat", Stream(255, hello, heartbeat));
        yield return ("small-reads", Stream(0, hello, heartbeat, reply));
        yield return ("no-hello-first", Stream(255, heartbeat));
        yield return ("every-kind", Stream(255, hello, heartbeat, reply,
            new GuestMessage { SetTimeResult = new SetTimeResult { RequestId = 1 } },
            new GuestMessage { ProcessExited = new ProcessExited { Name = "app", Pid = 2 } },
            new GuestMessage { ShutdownStarted = new ShutdownStarted { Reason = "poweroff" } }));
        yield return ("truncated", [255, 0, 0, 0, 9, 1, 2]);
        yield return ("too-large", [255, 0x7F, 0xFF, 0xFF, 0xFF]);
        yield return ("malformed-body", [255, 0, 0, 0, 2, 0xFF, 0xFF]);
    }

    private static async Task RunAsync(int readSize, byte[] stream)
    {
        var connection = new GuestConnection(stream, readSize);
        using var listener = new OneConnectionListener(connection);
        var server = new GuestLinkServer(listener, FrameCodec.DefaultMaxFrameBytes, Serilog.Core.Logger.None);
        try
        {
            server.Start();
            if (await Task.WhenAny(connection.Closed, Task.Delay(SessionTimeout)) != connection.Closed)
            {
                throw new FuzzFindingException($"the guest link did not end its session within {SessionTimeout.TotalSeconds} s of a finite stream");
            }
            while (server.Events.TryRead(out _))
            {
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static byte[] Stream(byte readSize, params GuestMessage[] messages)
    {
        var seed = new SeedWriter().Byte(readSize);
        foreach (var message in messages)
        {
            var body = message.ToByteArray();
            seed.Bytes([(byte)(body.Length >> 24), (byte)(body.Length >> 16), (byte)(body.Length >> 8), (byte)body.Length]).Bytes(body);
        }
        return seed.ToArray();
    }
}
