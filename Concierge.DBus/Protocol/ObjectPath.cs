namespace Concierge.DBus.Protocol;

/// <summary>A validated D-Bus object path (type code <c>o</c>).</summary>
public readonly record struct ObjectPath
{
    /// <summary>Validates and wraps <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The text is not a valid object path.</exception>
    public ObjectPath(string value)
    {
        if (!NameValidator.IsValidObjectPath(value))
        {
            throw new ArgumentException($"'{value}' is not a valid object path", nameof(value));
        }
        Value = value;
    }

    /// <summary>The root path <c>/</c>.</summary>
    public static ObjectPath Root { get; } = new("/");

    /// <summary>The path text.</summary>
    public string Value { get; }

    /// <inheritdoc/>
    public override string ToString() => Value ?? "/";
}
