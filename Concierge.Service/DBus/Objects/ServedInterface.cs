using Concierge.Contracts;
using Concierge.Service.Api;
using Concierge.Service.Errors;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus.Objects;

/// <summary>
/// One interface of a served object. The dispatcher calls <see cref="HandleAsync"/> only for
/// methods the <see cref="Contract"/> declares, with the body signature it declares, and only for
/// a caller allowed to see the object; the handler replies through the context (or returns
/// without a reply for a method without out arguments) and throws to refuse.
/// </summary>
public abstract class ServedInterface
{
    /// <summary>Creates the interface for <paramref name="contract"/>.</summary>
    protected ServedInterface(InterfaceContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        Contract = contract;
    }

    /// <summary>What the interface declares.</summary>
    public InterfaceContract Contract { get; }

    /// <summary>The interface name.</summary>
    public string Name => Contract.Name;

    /// <summary>Handles a declared method called by <paramref name="caller"/>. Runs off the bus's receive loop.</summary>
    public abstract Task HandleAsync(MethodContext context, Caller caller);

    /// <summary>The current value of declared property <paramref name="name"/>.</summary>
    public virtual VariantValue ReadProperty(string name) =>
        throw new CallRefusedException(DBusErrorNames.UnknownProperty, $"{Name} has no property {name}");

    /// <summary>Every declared property with its current value, in declaration order (GetAll, ObjectManager).</summary>
    public IEnumerable<KeyValuePair<string, VariantValue>> ReadProperties() =>
        Contract.Properties.Select(p => new KeyValuePair<string, VariantValue>(p.Name, ReadProperty(p.Name)));
}
