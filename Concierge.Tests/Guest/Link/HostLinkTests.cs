using System.Buffers.Binary;
using Concierge.Guest.Link;
using Concierge.GuestLink.Protocol;
using Concierge.Guest.Supervision;
using NUnit.Framework;

namespace Concierge.Tests.Guest.Link;

/// <summary>
/// The guest side of the link against an in-process host peer over a real Unix socket:
/// the same HostLink and GuestAgent the init runs over vsock, with commands really run.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class HostLinkTests
{
    private HostPeer _host = null!;
    private ChildReaper _reaper = null!;
    private CancellationTokenSource _stop = null!;
    private Task _link = null!;
    private TaskCompletionSource<Shutdown> _shutdown = null!;

    [SetUp]
    public void SetUp()
    {
        _host = new HostPeer();
        // Only our own children: the test runner's other children belong to the runtime.
        _reaper = new ChildReaper(reapAll: false);
        _shutdown = new TaskCompletionSource<Shutdown>(TaskCreationOptions.RunContinuationsAsynchronously);
        var interval = TimeSpan.FromMilliseconds(50);
        var agent = new GuestAgent(new ProcessSpawner(_reaper), new GuestAgentOptions { HeartbeatInterval = interval, OutputLimitBytes = 1000 }, request => _shutdown.TrySetResult(request));
        var link = new HostLink(new UnixSocketTransport(_host.SocketPath), agent, new HostLinkOptions
        {
            HeartbeatInterval = interval,
            MinReconnectDelay = TimeSpan.FromMilliseconds(10),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxFrameBytes = 4096,
        });
        _stop = new CancellationTokenSource();
        _link = Task.Run(() => link.RunAsync(_stop.Token));
        Post = link.Post;
    }

    private Action<GuestMessage> Post { get; set; } = null!;

    [TearDown]
    public async Task TearDown()
    {
        await _stop.CancelAsync();
        // Cancelling is the only way the link ends: RunAsync never returns on its own.
        Assert.That(async () => await _link, Throws.InstanceOf<OperationCanceledException>());
        _stop.Dispose();
        _reaper.Dispose();
        _host.Dispose();
    }

    [Test]
    public async Task SaysHelloThenHeartbeatsWithGrowingSequence()
    {
        await _host.AcceptAsync();
        var hello = (await _host.ReadAsync()).Hello;
        Assert.That(hello, Is.Not.Null, "Hello comes first");
        Assert.That(hello.KernelVersion, Is.EqualTo(File.ReadAllText("/proc/sys/kernel/osrelease").Trim()));
        Assert.That(hello.HeartbeatIntervalMs, Is.EqualTo(50));
        Assert.That(hello.BootTimeUnixMs, Is.InRange(1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        var sequences = new List<ulong>();
        for (var i = 0; i < 3; i++)
        {
            var heartbeat = (await _host.ReadUntilAsync(GuestMessage.KindOneofCase.Heartbeat)).Heartbeat;
            Assert.That(heartbeat.MemoryTotalKib, Is.GreaterThan(0));
            Assert.That(heartbeat.UptimeMs, Is.GreaterThan(0));
            sequences.Add(heartbeat.Sequence);
        }
        Assert.That(sequences, Is.Ordered.Ascending.And.Unique);
    }

    [Test]
    public async Task ExecReturnsStatusAndOutput()
    {
        await ConnectAsync();
        var exec = new Exec { RequestId = 11 };
        exec.Argv.Add(["/bin/sh", "-c", "echo out; echo err >&2; echo $GREETING; exit 3"]);
        exec.Env.Add("GREETING", "hello");
        await _host.SendAsync(new HostMessage { Exec = exec });
        var result = (await _host.ReadUntilAsync(GuestMessage.KindOneofCase.ExecResult)).ExecResult;
        Assert.That(result.RequestId, Is.EqualTo(11));
        Assert.That(result.Status, Is.EqualTo(ProcessStatus.Exited));
        Assert.That(result.Code, Is.EqualTo(3));
        Assert.That(result.Stdout.ToStringUtf8(), Is.EqualTo("out\nhello\n"));
        Assert.That(result.Stderr.ToStringUtf8(), Is.EqualTo("err\n"));
        Assert.That(result.StdoutTruncated || result.TimedOut, Is.False);
    }

    [Test]
    public async Task ExecOutputIsBounded()
    {
        await ConnectAsync();
        var exec = new Exec { RequestId = 1, OutputLimitBytes = 100 };
        exec.Argv.Add(["/bin/sh", "-c", "head -c 1000000 /dev/zero"]);
        await _host.SendAsync(new HostMessage { Exec = exec });
        var result = (await _host.ReadUntilAsync(GuestMessage.KindOneofCase.ExecResult)).ExecResult;
        Assert.That(result.Stdout.Length, Is.EqualTo(100));
        Assert.That(result.StdoutTruncated, Is.True);
        Assert.That(result.Code, Is.Zero, "the command ran to its end: the rest was drained");
    }

    [Test]
    public async Task ExecTimesOut()
    {
        await ConnectAsync();
        var exec = new Exec { RequestId = 2, TimeoutMs = 200 };
        exec.Argv.Add(["sleep", "30"]);
        await _host.SendAsync(new HostMessage { Exec = exec });
        var result = (await _host.ReadUntilAsync(GuestMessage.KindOneofCase.ExecResult)).ExecResult;
        Assert.That(result.TimedOut, Is.True);
        Assert.That(result.Status, Is.EqualTo(ProcessStatus.Signaled));
        Assert.That(result.Code, Is.EqualTo(9));
    }

    [Test]
    public async Task ExecOfAMissingProgramFails()
    {
        await ConnectAsync();
        var exec = new Exec { RequestId = 3 };
        exec.Argv.Add("/no/such/program");
        await _host.SendAsync(new HostMessage { Exec = exec });
        var result = (await _host.ReadUntilAsync(GuestMessage.KindOneofCase.ExecResult)).ExecResult;
        Assert.That(result.Status, Is.EqualTo(ProcessStatus.Failed));
        Assert.That(result.Error, Does.Contain("/no/such/program"));
    }

    [Test]
    public async Task ShutdownIsHandedToTheInit()
    {
        await ConnectAsync();
        await _host.SendAsync(new HostMessage { Shutdown = new Shutdown { GraceMs = 1234 } });
        var request = await _shutdown.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(request.GraceMs, Is.EqualTo(1234));
    }

    [Test]
    public async Task SetTimeReportsTheKernelsAnswer()
    {
        await ConnectAsync();
        // A time before the epoch: the kernel refuses it, so the test never moves the clock.
        await _host.SendAsync(new HostMessage { SetTime = new SetTime { RequestId = 5, UnixTimeNs = -1_000_000_000 } });
        var result = (await _host.ReadUntilAsync(GuestMessage.KindOneofCase.SetTimeResult)).SetTimeResult;
        Assert.That(result.RequestId, Is.EqualTo(5));
        Assert.That(result.Success, Is.False);
        Assert.That(result.Error, Does.Contain("set the realtime clock"));
    }

    [Test]
    public async Task EventsAreDeliveredInOrder()
    {
        await ConnectAsync();
        Post(new GuestMessage { ProcessExited = new ProcessExited { Name = "a", Pid = 1 } });
        Post(new GuestMessage { ProcessExited = new ProcessExited { Name = "b", Pid = 2 } });
        Assert.That((await _host.ReadUntilAsync(GuestMessage.KindOneofCase.ProcessExited)).ProcessExited.Name, Is.EqualTo("a"));
        Assert.That((await _host.ReadUntilAsync(GuestMessage.KindOneofCase.ProcessExited)).ProcessExited.Name, Is.EqualTo("b"));
    }

    [Test]
    public async Task ReconnectsAfterTheHostDropsTheLinkAndSequenceKeepsGrowing()
    {
        await ConnectAsync();
        var before = (await _host.ReadUntilAsync(GuestMessage.KindOneofCase.Heartbeat)).Heartbeat.Sequence;
        _host.Disconnect();
        await _host.AcceptAsync();
        Assert.That((await _host.ReadAsync()).KindCase, Is.EqualTo(GuestMessage.KindOneofCase.Hello));
        var after = (await _host.ReadUntilAsync(GuestMessage.KindOneofCase.Heartbeat)).Heartbeat.Sequence;
        Assert.That(after, Is.GreaterThan(before));
    }

    [Test]
    public async Task OversizedFrameFromTheHostEndsThatConnection()
    {
        await ConnectAsync();
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, 1_000_000);
        await _host.SendRawAsync(header);
        // The guest drops the connection without reading the body, and comes back.
        await _host.AcceptAsync();
        Assert.That((await _host.ReadAsync()).KindCase, Is.EqualTo(GuestMessage.KindOneofCase.Hello));
    }

    private async Task ConnectAsync()
    {
        await _host.AcceptAsync();
        Assert.That((await _host.ReadAsync()).KindCase, Is.EqualTo(GuestMessage.KindOneofCase.Hello));
    }
}
