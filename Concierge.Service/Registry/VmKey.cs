using Concierge.Service.Naming;

namespace Concierge.Service.Registry;

/// <summary>A VM's identity: the same name may exist once per owner (Chrome OS's VmId).</summary>
/// <param name="Owner">The owner's uid.</param>
/// <param name="Name">The VM name (valid per <see cref="VmNames"/>).</param>
public readonly record struct VmKey(uint Owner, string Name)
{
    /// <summary>Validates <paramref name="name"/> and makes the key.</summary>
    public static VmKey Create(uint owner, string? name) => new(owner, VmNames.Validate(name));

    /// <summary>"owner/name", as Chrome OS prints a VmId.</summary>
    public override string ToString() => $"{OwnerIds.Format(Owner)}/{Name}";
}
