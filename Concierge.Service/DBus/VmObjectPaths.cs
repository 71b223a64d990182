using Concierge.DBus.Protocol;
using Concierge.Service.Naming;
using Concierge.Service.Registry;

namespace Concierge.Service.DBus;

/// <summary>
/// Object paths of the typed face. The root is <c>/org/chromium/VmConcierge</c>; VM (owner, name)
/// lives at <c>/org/chromium/VmConcierge/vm/&lt;escaped name&gt;/u&lt;uid&gt;</c>, the name escaped
/// like systemd-machined's machine names (<see cref="ObjectPathLabel"/>). The owner is always part
/// of the path, so two users may have VMs of the same name and a VM's path never changes when
/// another user creates a namesake.
/// </summary>
public static class VmObjectPaths
{
    /// <summary>The root object (both faces, and the ObjectManager).</summary>
    public const string Root = "/org/chromium/VmConcierge";

    /// <summary>The folder of VM objects.</summary>
    public const string VmFolder = Root + "/vm";

    /// <summary>The object path of <paramref name="key"/>.</summary>
    public static ObjectPath For(VmKey key) =>
        new($"{VmFolder}/{ObjectPathLabel.Escape(key.Name)}/u{OwnerIds.Format(key.Owner)}");
}
