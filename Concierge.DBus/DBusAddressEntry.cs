namespace Concierge.DBus;

/// <summary>One <c>transport:key=value,...</c> entry of a <see cref="DBusAddress"/>.</summary>
/// <param name="Transport">The transport name, e.g. <c>unix</c>.</param>
/// <param name="Properties">The unescaped key/value pairs.</param>
public sealed record DBusAddressEntry(string Transport, IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key) => Properties.TryGetValue(key, out var value) ? value : null;
}
