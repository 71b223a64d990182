using Concierge.DBus.Protocol;
using Concierge.Tests.DBus.TestObjects;
using NUnit.Framework;

namespace Concierge.Tests.DBus.Protocol;

/// <summary>
/// Random byte flips, insertions and truncations of valid messages: the parser must either accept
/// the result or throw <see cref="DBusProtocolException"/>, never anything else.
/// </summary>
[TestFixture]
[Category("Unit")]
public sealed class MutationFuzzTests
{
    [Test]
    public void MutatedMessagesFailOnlyWithProtocolErrors([Range(1, 8)] int seed)
    {
        var random = new Random(seed);
        var values = new RandomValues(seed, allowFds: false);
        for (var round = 0; round < 400; round++)
        {
            var signature = values.Signature(3);
            var body = new MessageWriter();
            body.WriteValue(signature, values.Value(signature));
            var header = new MessageHeader { Type = MessageType.MethodCall, Serial = 5, Path = "/a/b", Interface = "x.y", Member = "Z", Destination = ":1.5", Signature = signature };
            var bytes = MessageEncoder.Encode(header, body).WrittenSpan.ToArray();
            var mutated = Mutate(bytes, random);
            if (random.Next(2) == 0)
            {
                RepairBodyLength(mutated);
            }
            try
            {
                if (mutated.Length >= MessageParser.FixedHeaderLength && MessageParser.GetMessageLength(mutated) == mutated.Length)
                {
                    using var message = MessageParser.Parse(mutated, count => count == 0 ? [] : throw new DBusProtocolException("no fds in this test"));
                    message.GetBodyReader().ReadValues(message.Signature);
                }
            }
            catch (DBusProtocolException)
            {
                // Rejected: fine.
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed} round {round} signature {signature}: {ex.GetType().Name}: {ex.Message}\n{Convert.ToHexString(mutated)}");
            }
        }
    }

    // Makes the header's body length agree with the mutated size, so the parser looks inside
    // instead of stopping at the length check.
    private static void RepairBodyLength(byte[] message)
    {
        if (message.Length < MessageParser.FixedHeaderLength || message[0] != (byte)'l')
        {
            return;
        }
        var headerLength = 16L + ((BitConverter.ToUInt32(message, 12) + 7L) & ~7L);
        if (headerLength <= message.Length)
        {
            BitConverter.GetBytes((uint)(message.Length - headerLength)).CopyTo(message, 4);
        }
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        var copy = bytes.ToList();
        for (var i = 0; i < 1 + random.Next(4); i++)
        {
            var position = random.Next(copy.Count);
            switch (random.Next(4))
            {
                case 0:
                    copy[position] = (byte)random.Next(256);
                    break;
                case 1:
                    copy[position] = random.Next(2) == 0 ? (byte)0xff : (byte)0;
                    break;
                case 2:
                    copy.Insert(position, (byte)random.Next(256));
                    break;
                default:
                    copy.RemoveRange(position, Math.Min(1 + random.Next(8), copy.Count - position));
                    break;
            }
            if (copy.Count == 0)
            {
                break;
            }
        }
        return [.. copy];
    }
}
