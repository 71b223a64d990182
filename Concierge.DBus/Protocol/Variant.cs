namespace Concierge.DBus.Protocol;

/// <summary>
/// A value together with its D-Bus type: what a <c>v</c> carries and what property maps
/// (<c>a{sv}</c>) hold. Values follow the generic model: y byte, b bool, n short, q ushort,
/// i int, u uint, x long, t ulong, d double, s string, o <see cref="ObjectPath"/>,
/// g <see cref="Protocol.Signature"/>, h <see cref="UnixFdIndex"/>, v <see cref="Variant"/>,
/// <c>ay</c> byte[], other arrays <c>IReadOnlyList&lt;object&gt;</c>, dicts
/// <c>IReadOnlyList&lt;KeyValuePair&lt;object, object&gt;&gt;</c>, structs <see cref="DBusStruct"/>.
/// </summary>
public sealed class Variant
{
    /// <summary>Wraps <paramref name="value"/> with the single complete type <paramref name="signature"/>.</summary>
    /// <exception cref="ArgumentException">The signature is not a single complete type.</exception>
    public Variant(string signature, object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!SignatureValidator.IsSingleCompleteType(signature, out var error))
        {
            throw new ArgumentException($"'{signature}': {error}", nameof(signature));
        }
        Signature = signature;
        Value = value;
    }

    /// <summary>The type of the value (one complete type).</summary>
    public string Signature { get; }

    /// <summary>The value, in the generic value model.</summary>
    public object Value { get; }

    /// <summary>A string variant.</summary>
    public static Variant FromString(string value) => new("s", value);

    /// <summary>A boolean variant.</summary>
    public static Variant FromBoolean(bool value) => new("b", value);

    /// <summary>A byte variant.</summary>
    public static Variant FromByte(byte value) => new("y", value);

    /// <summary>An int32 variant.</summary>
    public static Variant FromInt32(int value) => new("i", value);

    /// <summary>A uint32 variant.</summary>
    public static Variant FromUInt32(uint value) => new("u", value);

    /// <summary>An int64 variant.</summary>
    public static Variant FromInt64(long value) => new("x", value);

    /// <summary>A uint64 variant.</summary>
    public static Variant FromUInt64(ulong value) => new("t", value);

    /// <summary>A double variant.</summary>
    public static Variant FromDouble(double value) => new("d", value);

    /// <summary>An object path variant.</summary>
    public static Variant FromObjectPath(ObjectPath value) => new("o", value);

    /// <summary>A string array variant.</summary>
    public static Variant FromStringArray(IReadOnlyList<string> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new("as", value.Cast<object>().ToArray());
    }

    /// <summary>A byte array variant.</summary>
    public static Variant FromBytes(byte[] value) => new("ay", value);

    /// <inheritdoc/>
    public override string ToString() => $"{Signature}:{Value}";
}
