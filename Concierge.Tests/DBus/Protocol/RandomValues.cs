using System.Text;
using Concierge.DBus.Protocol;

namespace Concierge.Tests.DBus.Protocol;

/// <summary>Random valid signatures and values of the generic value model, reproducible from a seed.</summary>
public sealed class RandomValues
{
    private readonly Random _random;
    private readonly string _basicCodes;

    public RandomValues(int seed, bool allowFds = true)
    {
        _random = new Random(seed);
        _basicCodes = allowFds ? "ybnqiuxtdsogh" : "ybnqiuxtdsog";
    }

    /// <summary>A single complete type at most <paramref name="depth"/> containers deep.</summary>
    public string Signature(int depth)
    {
        var basics = _basicCodes.Length;
        var choice = _random.Next(depth > 0 ? basics + 5 : basics);
        return (choice - basics) switch
        {
            < 0 => _basicCodes[choice].ToString(),
            0 => "v",
            1 or 2 => "a" + Signature(depth - 1),
            3 => $"a{{{_basicCodes[_random.Next(basics)]}{Signature(depth - 1)}}}",
            _ => "(" + string.Concat(Enumerable.Range(0, 1 + _random.Next(4)).Select(_ => Signature(depth - 1))) + ")",
        };
    }

    /// <summary>A value of the single complete type <paramref name="type"/>.</summary>
    public object Value(string type)
    {
        switch (type[0])
        {
            case 'y': return (byte)_random.Next(256);
            case 'b': return _random.Next(2) == 1;
            case 'n': return (short)_random.Next(short.MinValue, short.MaxValue + 1);
            case 'q': return (ushort)_random.Next(ushort.MaxValue + 1);
            case 'i': return _random.Next(int.MinValue, int.MaxValue);
            case 'u': return (uint)_random.NextInt64(uint.MaxValue + 1L);
            case 'x': return _random.NextInt64(long.MinValue, long.MaxValue);
            case 't': return (ulong)_random.NextInt64(long.MinValue, long.MaxValue);
            case 'd': return _random.Next(10) == 0 ? double.NaN : (_random.NextDouble() - 0.5) * Math.Pow(10, _random.Next(-300, 300));
            case 's': return Text();
            case 'o': return Path();
            case 'g': return new Signature(string.Concat(Enumerable.Range(0, _random.Next(3)).Select(_ => Signature(2))));
            case 'h': return new UnixFdIndex((uint)_random.Next(16));
            case 'v':
                var inner = Signature(2);
                return new Variant(inner, Value(inner));
            case '(':
                return new DBusStruct([.. Concierge.DBus.Protocol.Signature.SplitCompleteTypes(type[1..^1]).Select(Value)]);
            default:
                return ArrayValue(type[1..]);
        }
    }

    private object ArrayValue(string element)
    {
        var count = _random.Next(4);
        if (element[0] == '{')
        {
            var key = element[1].ToString();
            var valueType = element[2..^1];
            return Enumerable.Range(0, count).Select(_ => new KeyValuePair<object, object>(Value(key), Value(valueType))).ToArray();
        }
        if (element == "y")
        {
            var bytes = new byte[count * 3];
            _random.NextBytes(bytes);
            return bytes;
        }
        return Enumerable.Range(0, count).Select(_ => Value(element)).ToArray();
    }

    private string Text()
    {
        var builder = new StringBuilder();
        var length = _random.Next(12);
        for (var i = 0; i < length; i++)
        {
            // Mix ASCII, two- and three-byte UTF-8, and a non-BMP character (surrogate pair).
            builder.Append(_random.Next(5) switch
            {
                0 => "é",
                1 => "€",
                2 => "😀",
                _ => ((char)_random.Next('a', 'z' + 1)).ToString(),
            });
        }
        return builder.ToString();
    }

    private ObjectPath Path() => new(_random.Next(4) == 0
        ? "/"
        : string.Concat(Enumerable.Range(0, 1 + _random.Next(3)).Select(i => "/e" + _random.Next(100))));
}
