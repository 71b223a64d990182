namespace Concierge.DBus.Server;

/// <summary>A property: name, type, access and the EmitsChangedSignal annotation (null = default "true").</summary>
/// <param name="Name">The property name.</param>
/// <param name="Type">Its single complete type.</param>
/// <param name="Access">Get/Set rights.</param>
/// <param name="EmitsChangedSignal"><c>true</c>, <c>invalidates</c>, <c>const</c> or <c>false</c>; null leaves it unannotated.</param>
public sealed record PropertyDescription(string Name, string Type, PropertyAccess Access, string? EmitsChangedSignal = null)
{
    /// <summary>True if Get is allowed.</summary>
    public bool CanRead => Access != PropertyAccess.Write;

    /// <summary>True if Set is allowed.</summary>
    public bool CanWrite => Access != PropertyAccess.Read;
}
