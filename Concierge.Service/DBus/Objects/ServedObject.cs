using Concierge.Service.Api;

namespace Concierge.Service.DBus.Objects;

/// <summary>
/// An object on the bus: its path, its interfaces, and whose it is. An object with an owner exists
/// only for that user and root: to anyone else every call on it, and every listing, answers as if
/// nothing were there.
/// </summary>
/// <param name="Path">The object path.</param>
/// <param name="Owner">The uid whose object this is; null for an object everyone may see.</param>
/// <param name="Interfaces">The interfaces it serves.</param>
public sealed record ServedObject(string Path, uint? Owner, IReadOnlyList<ServedInterface> Interfaces)
{
    /// <summary>True if <paramref name="caller"/> may see the object.</summary>
    public bool IsVisibleTo(Caller caller) => Owner is not { } owner || caller.MayActFor(owner);

    /// <summary>The interface called <paramref name="name"/>, or null.</summary>
    public ServedInterface? Find(string name) => Interfaces.FirstOrDefault(i => i.Name == name);
}
