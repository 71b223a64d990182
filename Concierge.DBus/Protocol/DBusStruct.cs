namespace Concierge.DBus.Protocol;

/// <summary>A struct value of the generic value model: its fields in order.</summary>
public sealed class DBusStruct
{
    /// <summary>Wraps the fields; a D-Bus struct has at least one.</summary>
    public DBusStruct(params object[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Length == 0)
        {
            throw new ArgumentException("a D-Bus struct needs at least one field", nameof(fields));
        }
        Fields = fields;
    }

    /// <summary>The field values.</summary>
    public IReadOnlyList<object> Fields { get; }
}
