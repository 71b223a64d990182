using Concierge.Contracts;

namespace Concierge.Client;

/// <summary>A PropertiesChanged signal of one VM object, with values as .NET objects (string, uint, ulong, long, ...).</summary>
/// <param name="Path">The VM object's path.</param>
/// <param name="Changed">The properties that changed and their new values.</param>
public sealed record VmPropertiesChange(string Path, IReadOnlyDictionary<string, object> Changed)
{
    /// <summary>The VM's name, from its object path.</summary>
    public string Name => VmObjectPath.NameOf(Path) ?? Path;

    /// <summary>The new state, when State changed.</summary>
    public VmState? State => Changed.TryGetValue("State", out var value) && value is string text ? VmPropertyMap.ParseState(text) : null;

    /// <summary>The new health, when Health changed.</summary>
    public VmHealth? Health => Changed.TryGetValue("Health", out var value) && value is string text ? VmPropertyMap.ParseHealth(text) : null;
}
