namespace Concierge.DBus.Protocol;

/// <summary>A validated D-Bus signature (type code <c>g</c>): zero or more complete types.</summary>
public readonly record struct Signature
{
    /// <summary>Validates and wraps <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The text is not a valid signature.</exception>
    public Signature(string value)
    {
        if (!SignatureValidator.IsValid(value, out var error))
        {
            throw new ArgumentException($"'{value}' is not a valid signature: {error}", nameof(value));
        }
        Value = value;
    }

    /// <summary>The signature text.</summary>
    public string Value { get; }

    /// <inheritdoc/>
    public override string ToString() => Value ?? string.Empty;

    /// <summary>Splits a valid signature into its complete types (<c>"a{sv}i"</c> → <c>a{sv}</c>, <c>i</c>).</summary>
    /// <exception cref="ArgumentException">The text is not a valid signature.</exception>
    public static IReadOnlyList<string> SplitCompleteTypes(string signature)
    {
        var types = new List<string>();
        var rest = new Signature(signature).Value.AsSpan();
        while (!rest.IsEmpty)
        {
            var length = TypeCodes.SingleTypeLength(rest);
            types.Add(rest[..length].ToString());
            rest = rest[length..];
        }
        return types;
    }
}
