using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace Concierge.Service.DBus.Objects;

/// <summary>A declared method: its in and out signatures, from the interface XML.</summary>
/// <param name="Name">The member name.</param>
/// <param name="InSignature">The concatenated types of its in arguments.</param>
/// <param name="OutSignature">The concatenated types of its out arguments.</param>
public sealed record MethodContract(string Name, string InSignature, string OutSignature);

/// <summary>A declared property: its type and whether it announces changes (every property here is read-only).</summary>
/// <param name="Name">The property name.</param>
/// <param name="Type">Its D-Bus type.</param>
/// <param name="EmitsChanges">False when annotated EmitsChangedSignal false or const: PropertiesChanged never names it.</param>
public sealed record PropertyContract(string Name, string Type, bool EmitsChanges);

/// <summary>
/// One interface as its checked-in XML declares it (<c>Api/Interfaces/*.xml</c>, embedded in the
/// service): what calls are checked against, and the very XML that Introspect answers with, so the
/// contract file and the running service cannot drift apart.
/// </summary>
public sealed class InterfaceContract
{
    private InterfaceContract(string name, IReadOnlyList<MethodContract> methods, IReadOnlyList<PropertyContract> properties, ReadOnlyMemory<byte> xml)
    {
        Name = name;
        Methods = methods;
        Properties = properties;
        Xml = xml;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>The declared methods, in file order.</summary>
    public IReadOnlyList<MethodContract> Methods { get; }

    /// <summary>The declared properties, in file order.</summary>
    public IReadOnlyList<PropertyContract> Properties { get; }

    /// <summary>The interface element as UTF-8, for Introspect replies.</summary>
    public ReadOnlyMemory<byte> Xml { get; }

    /// <summary>The method called <paramref name="name"/>, or null.</summary>
    public MethodContract? FindMethod(string name) => Methods.FirstOrDefault(m => m.Name == name);

    /// <summary>The property called <paramref name="name"/>, or null.</summary>
    public PropertyContract? FindProperty(string name) => Properties.FirstOrDefault(p => p.Name == name);

    /// <summary>The contract of the service's interface <paramref name="interfaceName"/>, from its embedded XML file.</summary>
    public static InterfaceContract Embedded(string interfaceName)
    {
        var assembly = typeof(InterfaceContract).Assembly;
        using var stream = assembly.GetManifestResourceStream($"{interfaceName}.xml")
            ?? throw new InvalidOperationException($"the service carries no contract for {interfaceName} (Api/Interfaces/{interfaceName}.xml)");
        return Parse(XDocument.Load(stream), interfaceName);
    }

    /// <summary>Interface <paramref name="interfaceName"/> of introspection XML <paramref name="document"/>.</summary>
    public static InterfaceContract Parse(XDocument document, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(document);
        var element = document.Descendants("interface").SingleOrDefault(i => (string?)i.Attribute("name") == interfaceName)
            ?? throw new InvalidOperationException($"the XML declares no interface {interfaceName}");
        var methods = element.Elements("method").Select(m => new MethodContract(
            Required(m, "name"), Signature(m, "in"), Signature(m, "out"))).ToList();
        var properties = element.Elements("property").Select(p => new PropertyContract(
            Required(p, "name"), Required(p, "type"), EmitsChanges(p))).ToList();
        return new InterfaceContract(interfaceName, methods, properties, Encoding.UTF8.GetBytes(element.ToString()));
    }

    // Arguments without a direction are in-arguments (the introspection format's default for methods).
    private static string Signature(XElement method, string direction) =>
        string.Concat(method.Elements("arg").Where(a => ((string?)a.Attribute("direction") ?? "in") == direction).Select(a => Required(a, "type")));

    private static bool EmitsChanges(XElement property) =>
        property.Elements("annotation").FirstOrDefault(a => (string?)a.Attribute("name") == "org.freedesktop.DBus.Property.EmitsChangedSignal")
            ?.Attribute("value")?.Value is not ("false" or "const" or "invalidates");

    private static string Required(XElement element, string attribute) =>
        (string?)element.Attribute(attribute) ?? throw new InvalidOperationException($"<{element.Name}> without {attribute}");
}
