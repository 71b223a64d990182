using Concierge.Fuzz.Targets.Pci;
using Concierge.Fuzz.Targets.Service;
using Concierge.Fuzz.Targets.Virtio;

namespace Concierge.Fuzz.Targets;

/// <summary>Every fuzz target, by name.</summary>
public static class FuzzTargets
{
    /// <summary>The targets, in the order results.md lists them.</summary>
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new VirtQueueTarget(),
        new BlockTarget(),
        new VsockTarget(),
        new PciTarget(),
        new GuestLinkTarget(),
        new ChromeOsTarget(),
    ];

    /// <summary>The target called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No target has that name.</exception>
    public static IFuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}'; there are: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));
}
