using System.Net.Sockets;
using Concierge.DBus.Protocol;
using Concierge.DBus.Transport;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Protocol;

/// <summary>
/// Feeds each corpus entry through a real unix socket into the message stream, then closes the
/// writing side: the reader must produce a message or a protocol error, promptly, never hang, and
/// never allocate for bytes that did not arrive.
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class MalformedMessageTests
{
    public static IEnumerable<MalformedMessageCorpus.Case> Corpus => MalformedMessageCorpus.All();

    [TestCaseSource(nameof(Corpus))]
    public async Task ReaderAcceptsOrRejectsPerSpec(MalformedMessageCorpus.Case entry)
    {
        var (message, error) = await FeedAsync(entry.Bytes);
        await TestContext.Out.WriteLineAsync($"{entry.Name}: {error?.Message ?? "accepted"}");
        using (message)
        {
            if (entry.Accept)
            {
                Assert.That(error, Is.Null, error?.Message);
                Assert.That(message, Is.Not.Null);
            }
            else
            {
                Assert.That(error, Is.InstanceOf<DBusProtocolException>(), $"accepted: {message}");
            }
        }
    }

    [Test]
    public async Task AClaimedHugeMessageCostsOnlyWhatArrives()
    {
        var header = new MessageHeader { Type = MessageType.Signal, Serial = 1, Path = "/b", Interface = "a.b", Member = "M", Signature = "ay" };
        var body = new MessageWriter();
        body.WriteByteArray(new byte[8]);
        var bytes = MessageEncoder.Encode(header, body).WrittenSpan.ToArray();
        // Claim a 100 MiB body (legal size) but send only what we have, then hang up.
        BitConverter.GetBytes(100u * 1024 * 1024).CopyTo(bytes, 4);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var (message, error) = await FeedAsync(bytes);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.That(message, Is.Null);
        Assert.That(error, Is.InstanceOf<DBusProtocolException>());
        Assert.That(allocated, Is.LessThan(4 * 1024 * 1024));
    }

    [Test]
    public void ValidatingALargeNumericArrayDoesNotAllocatePerElement()
    {
        var body = new MessageWriter();
        var start = body.WriteArrayStart('u');
        for (var i = 0; i < 1_000_000; i++)
        {
            body.WriteUInt32((uint)i);
        }
        body.WriteArrayEnd(start);
        var header = new MessageHeader { Type = MessageType.Signal, Serial = 1, Path = "/b", Interface = "a.b", Member = "M", Signature = "au" };
        var bytes = MessageEncoder.Encode(header, body).WrittenSpan.ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        using var message = MessageParser.Parse(bytes, _ => []);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // One copy of the 4 MB body is expected; boxing each element would cost about 24 MB.
        Assert.That(allocated, Is.LessThan(bytes.Length + (1024 * 1024)));
    }

    [Test]
    public async Task EveryPrefixOfAValidMessageIsIncompleteNotAccepted()
    {
        var valid = MalformedMessageCorpus.All().First().Bytes;
        for (var length = 1; length < valid.Length; length += 3)
        {
            var (message, error) = await FeedAsync(valid[..length]);
            Assert.That(message, Is.Null, $"prefix {length}");
            Assert.That(error, Is.InstanceOf<DBusProtocolException>(), $"prefix {length}");
        }
    }

    private static async Task<(Message? Message, Exception? Error)> FeedAsync(byte[] bytes)
    {
        var directory = Directory.CreateTempSubdirectory("concierge-corpus-");
        try
        {
            var endpoint = new UnixDomainSocketEndPoint(Path.Combine(directory.FullName, "s"));
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(endpoint);
            listener.Listen();
            var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(endpoint);
            using var transport = UnixSocketTransport.FromConnectedSocket(client);
            using (var peer = listener.Accept())
            {
                peer.Send(bytes);
                peer.Shutdown(SocketShutdown.Send);
            }
            var stream = new MessageStream(transport);
            return await Task.Run<(Message?, Exception?)>(() =>
            {
                try
                {
                    return (stream.ReadMessage(), null);
                }
                catch (DBusProtocolException ex)
                {
                    return (null, ex);
                }
                finally
                {
                    stream.DiscardFds();
                }
            }).WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
