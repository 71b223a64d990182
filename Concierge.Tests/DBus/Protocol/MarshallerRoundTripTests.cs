using Concierge.DBus.Protocol;
using Concierge.Tests.DBus.TestObjects;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Protocol;

/// <summary>Property tests: random values of random signatures survive writing, whole-message validation and reading.</summary>
[TestFixture]
[Category("Unit")]
public sealed class MarshallerRoundTripTests
{
    private const int FdCount = 16;

    [Test]
    public void RandomValuesRoundTripThroughTheReader([Range(1, 20)] int seed)
    {
        var random = new RandomValues(seed);
        for (var i = 0; i < 50; i++)
        {
            var signature = random.Signature(4);
            Assert.That(SignatureValidator.IsSingleCompleteType(signature, out var error), Is.True, $"{signature}: {error}");
            var value = random.Value(signature);
            var writer = new MessageWriter();
            // A leading byte shifts everything off 8-byte alignment, so padding is exercised.
            writer.WriteByte(0x5a);
            writer.WriteValue(signature, value);
            var reader = new MessageReader(writer.WrittenSpan, false, null, FdCount);
            Assert.That(reader.ReadByte(), Is.EqualTo(0x5a));
            var read = reader.ReadValue(signature);
            Assert.That(ValueComparer.AreEqual(read, value), Is.True, $"seed {seed}, signature {signature}");
            Assert.That(reader.IsAtEnd, Is.True);
        }
    }

    [Test]
    public void RandomBodiesPassWholeMessageValidation([Range(1, 10)] int seed)
    {
        // No UNIX_FD values here: a parsed message needs real fds for them (covered by the Bus tests).
        var random = new RandomValues(1000 + seed, allowFds: false);
        for (var i = 0; i < 30; i++)
        {
            var types = Enumerable.Range(0, 1 + (i % 4)).Select(_ => random.Signature(3)).ToArray();
            var signature = string.Concat(types);
            var values = types.Select(random.Value).ToArray();
            var body = new MessageWriter();
            body.WriteValues(signature, values);
            var header = new MessageHeader { Type = MessageType.Signal, Serial = 7, Path = "/p", Interface = "a.b", Member = "M", Signature = signature };
            var bytes = MessageEncoder.Encode(header, body).WrittenSpan.ToArray();
            using var message = MessageParser.Parse(bytes, _ => []);
            Assert.That(message.Signature, Is.EqualTo(signature));
            Assert.That(ValueComparer.AreEqual(message.GetBodyReader().ReadValues(signature), values), Is.True, $"seed {seed}, signature {signature}");
        }
    }

    [Test]
    public void BigEndianMessagesAreRead()
    {
        var message = BigEndianMessage.Build();
        using var parsed = MessageParser.Parse(message, _ => []);
        Assert.That(parsed.Member, Is.EqualTo("Hi"));
        Assert.That(parsed.Path, Is.EqualTo("/be"));
        var reader = parsed.GetBodyReader();
        Assert.That(reader.ReadUInt32(), Is.EqualTo(0x12345678u));
        Assert.That(reader.ReadString(), Is.EqualTo("hi"));
        var end = reader.ReadArrayStart('n');
        var items = new List<short>();
        while (reader.HasNext(end))
        {
            items.Add(reader.ReadInt16());
        }
        Assert.That(items, Is.EqualTo(new short[] { 1, -2 }));
        Assert.That(reader.ReadDouble(), Is.EqualTo(1.5));
        var variant = reader.ReadVariant();
        Assert.That(variant.Signature, Is.EqualTo("x"));
        Assert.That(variant.Value, Is.EqualTo(-5L));
        Assert.That(reader.IsAtEnd, Is.True);
    }
}
