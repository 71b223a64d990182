using System.Collections;
using Concierge.DBus.Protocol;

namespace Concierge.Tests.DBus.TestObjects;

/// <summary>Structural equality over the generic value model (doubles compared bit for bit, so NaN equals itself).</summary>
public static class ValueComparer
{
    public static bool AreEqual(object? left, object? right) => (left, right) switch
    {
        (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b),
        (Variant a, Variant b) => a.Signature == b.Signature && AreEqual(a.Value, b.Value),
        (DBusStruct a, DBusStruct b) => AreEqual(a.Fields, b.Fields),
        (KeyValuePair<object, object> a, KeyValuePair<object, object> b) => AreEqual(a.Key, b.Key) && AreEqual(a.Value, b.Value),
        (string a, string b) => a == b,
        (IEnumerable a, IEnumerable b) => SequenceEqual(a, b),
        _ => Equals(left, right),
    };

    private static bool SequenceEqual(IEnumerable left, IEnumerable right)
    {
        var a = left.Cast<object>().ToList();
        var b = right.Cast<object>().ToList();
        return a.Count == b.Count && a.Zip(b).All(pair => AreEqual(pair.First, pair.Second));
    }
}
