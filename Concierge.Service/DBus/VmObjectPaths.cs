using Concierge.Contracts;
using Concierge.Service.Registry;

namespace Concierge.Service.DBus;

/// <summary>
/// Object paths of the typed face, as <see cref="VmObjectPath"/> (shared with the clients) spells
/// them. The owner is always part of a VM's path, so two users may have VMs of the same name and
/// a VM's path never changes when another user creates a namesake.
/// </summary>
public static class VmObjectPaths
{
    /// <summary>The root object (both faces, and the ObjectManager).</summary>
    public const string Root = ConciergeBus.RootPath;

    /// <summary>The object path of <paramref name="key"/>.</summary>
    public static string For(VmKey key) => VmObjectPath.For(key.Name, key.Owner);
}
