namespace Concierge.DBus.Server;

/// <summary>The metadata of an interface, from which introspection XML is generated and calls are checked.</summary>
public sealed class InterfaceDescription
{
    /// <summary>Describes interface <paramref name="name"/>.</summary>
    public InterfaceDescription(string name)
    {
        if (!Protocol.NameValidator.IsValidInterfaceName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid interface name", nameof(name));
        }
        Name = name;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>Methods.</summary>
    public IReadOnlyList<MethodDescription> Methods { get; init; } = [];

    /// <summary>Signals.</summary>
    public IReadOnlyList<SignalDescription> Signals { get; init; } = [];

    /// <summary>Properties.</summary>
    public IReadOnlyList<PropertyDescription> Properties { get; init; } = [];

    /// <summary>The method called <paramref name="name"/>, or null.</summary>
    public MethodDescription? FindMethod(string? name) => Methods.FirstOrDefault(m => m.Name == name);

    /// <summary>The property called <paramref name="name"/>, or null.</summary>
    public PropertyDescription? FindProperty(string name) => Properties.FirstOrDefault(p => p.Name == name);
}
