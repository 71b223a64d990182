using System.Text;
using Concierge.Tests.TestSupport;

namespace Concierge.Tests.Vmm.Devices.Virtio.Guest;

/// <summary>
/// Finds modules in the unpacked Debian kernel package (which has no modules.dep) and orders
/// them so each comes after what its <c>depends=</c> modinfo string names.
/// </summary>
public static class KernelModules
{
    /// <summary>The modules the guest needs for virtio-pci, virtio-blk, virtio-rng and virtio-vsock.</summary>
    public static readonly string[] Virtio =
        ["virtio_pci", "virtio_blk", "virtio_rng", "vmw_vsock_virtio_transport"];

    /// <summary>Paths of <paramref name="names"/> and their dependencies, dependencies first.</summary>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> names)
    {
        var root = Path.Combine(RepoPaths.KernelDirectory, "modules");
        if (!Directory.Exists(root))
        {
            NUnit.Framework.Assert.Fail($"{root} is missing; run guest/fetch-kernel.sh");
        }
        var index = Directory.EnumerateFiles(root, "*.ko", SearchOption.AllDirectories)
            .GroupBy(path => Normalize(Path.GetFileNameWithoutExtension(path)))
            .ToDictionary(group => group.Key, group => group.First());
        var ordered = new List<string>();
        var visiting = new HashSet<string>();
        foreach (var name in names)
        {
            Visit(Normalize(name), index, ordered, visiting, depth: 0);
        }
        return ordered;
    }

    private static void Visit(string name, Dictionary<string, string> index, List<string> ordered, HashSet<string> visiting, int depth)
    {
        if (!index.TryGetValue(name, out var path))
        {
            throw new FileNotFoundException($"kernel module {name} is not in the unpacked kernel (built in?)");
        }
        if (ordered.Contains(path) || !visiting.Add(name) || depth > 32)
        {
            return;
        }
        foreach (var dependency in Depends(path))
        {
            Visit(dependency, index, ordered, visiting, depth + 1);
        }
        ordered.Add(path);
    }

    private static IEnumerable<string> Depends(string path)
    {
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        var at = text.IndexOf("\0depends=", StringComparison.Ordinal);
        if (at < 0)
        {
            return [];
        }
        var start = at + "\0depends=".Length;
        var end = text.IndexOf('\0', start);
        return text[start..end].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Normalize);
    }

    private static string Normalize(string name) => name.Replace('-', '_');
}
