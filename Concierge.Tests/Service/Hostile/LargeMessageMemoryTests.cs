using System.Diagnostics;
using NUnit.Framework;

namespace Concierge.Tests.Service.Hostile;

/// <summary>
/// Large messages from a caller the bus lets in: each is answered, and the memory they took is
/// given back once they are, so a caller cannot grow the service by sending big bodies.
/// </summary>
[TestFixture]
[Category("Bus")]
[NonParallelizable]
public sealed class LargeMessageMemoryTests : HostileServiceFixture
{
    private const long MiB = 1 << 20;
    // Room for the header inside the bus's limit on a whole message.
    private const long HeaderRoom = 64 * 1024;
    // Each size goes three times: keeping every message would hold three times their sum, far
    // above the bound; a receive buffer of the largest size and GC slack stay well within it.
    private const int Rounds = 3;
    private const long AllowedGrowth = 64 * MiB;
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    [Test]
    public void BigBodiesAreAnsweredAndTheirMemoryIsGivenBack()
    {
        using var client = Service.ConnectMember();
        // Warm the call path first, so the baseline holds what any call needs.
        Assert.That(client.Call(HostileService.ListVms(), ReplyTimeout).IsError, Is.False);
        var baseline = Service.ResidentBytes();
        var limit = Service.MaxMessageSize();
        long[] wanted = [1 * MiB, 4 * MiB, 16 * MiB, 64 * MiB];
        // What the bus would refuse never reaches the service: the largest it takes stands in.
        var sizes = wanted.Where(s => s <= limit - HeaderRoom).Append(Math.Min(64 * MiB, limit - HeaderRoom)).Distinct().ToArray();
        long peak = baseline;

        for (var round = 0; round < Rounds; round++)
        {
            foreach (var size in sizes)
            {
                var reply = client.Call(HugeStartVm(size), ReplyTimeout);
                Assert.That(reply.ReplySerial, Is.Not.Null, $"a {size / MiB} MiB call is answered");
                peak = Math.Max(peak, Service.ResidentBytes());
                TestContext.Out.WriteLine($"round {round}, {size} bytes: {reply}; RSS {Service.ResidentBytes() / MiB} MiB");
            }
        }
        // Polled rather than a fixed 30 s: memory that comes back early ends the wait early.
        var settle = Stopwatch.StartNew();
        var resident = Service.ResidentBytes();
        while (resident > baseline + AllowedGrowth && settle.Elapsed < SettleTimeout)
        {
            Thread.Sleep(500);
            resident = Service.ResidentBytes();
        }
        TestContext.Out.WriteLine($"limit {limit} bytes; sizes {string.Join(", ", sizes)}; RSS baseline {baseline / MiB} MiB, peak {peak / MiB} MiB, "
            + $"{resident / MiB} MiB after {settle.Elapsed.TotalSeconds:F1} s");

        Assert.Multiple(() =>
        {
            Assert.That(resident, Is.LessThanOrEqualTo(baseline + AllowedGrowth),
                $"RSS {resident / MiB} MiB {SettleTimeout.TotalSeconds} s after the last call; baseline {baseline / MiB} MiB, peak {peak / MiB} MiB");
            Assert.That(client.Call(HostileService.ListVms(), ReplyTimeout).IsError, Is.False, "the service still answers");
            Assert.That(Service.Process.HasExited, Is.False);
        });
    }

    /// <summary>
    /// The Chrome OS face's StartVm with a <paramref name="size"/>-byte message whose request is
    /// 0xff bytes: no valid protobuf (a varint that never ends), so the service reads it all and refuses it.
    /// </summary>
    private static RawMessage HugeStartVm(long size)
    {
        var filler = new byte[size - HeaderRoom];
        Array.Fill(filler, (byte)0xff);
        return RawMessage.Call(HostileService.Name, HostileService.Root, HostileService.ChromeOs, "StartVm", "ay", b => b.Bytes(filler));
    }
}
