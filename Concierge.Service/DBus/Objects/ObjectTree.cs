using Concierge.Service.Api;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus.Objects;

/// <summary>
/// The service's objects, by path, all below one root that the bus library hands us whole
/// (a handler of child paths): every call to the root or below comes here, so one place decides
/// what each caller may see. Intermediate nodes exist only because some object lies below them.
/// </summary>
public sealed class ObjectTree
{
    private readonly Dictionary<string, ServedObject> _objects = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>A tree rooted at <paramref name="root"/>, where the ObjectManager lives.</summary>
    public ObjectTree(string root)
    {
        Root = root;
    }

    /// <summary>The root path (the ObjectManager's).</summary>
    public string Root { get; }

    /// <summary>Serves <paramref name="served"/>.</summary>
    /// <exception cref="InvalidOperationException">Its path is taken or outside the root.</exception>
    public void Add(ServedObject served)
    {
        ArgumentNullException.ThrowIfNull(served);
        if (served.Path != Root && !IsStrictlyBelow(served.Path, Root))
        {
            throw new InvalidOperationException($"{served.Path} is not in the tree at {Root}");
        }
        lock (_lock)
        {
            if (!_objects.TryAdd(served.Path, served))
            {
                throw new InvalidOperationException($"an object is already served at {served.Path}");
            }
        }
    }

    /// <summary>Stops serving the object at <paramref name="path"/>; returns it, or null.</summary>
    public ServedObject? Remove(string path)
    {
        lock (_lock)
        {
            return _objects.Remove(path, out var removed) ? removed : null;
        }
    }

    /// <summary>The object at <paramref name="path"/> if <paramref name="caller"/> may see it, else null (as for no object).</summary>
    public ServedObject? Find(string path, Caller caller)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(path) is { } served && served.IsVisibleTo(caller) ? served : null;
        }
    }

    /// <summary>The objects strictly below the root that <paramref name="caller"/> may see, in path order.</summary>
    public ServedObject[] Managed(Caller caller)
    {
        lock (_lock)
        {
            return [.. _objects.Values.Where(o => o.Path != Root && o.IsVisibleTo(caller)).OrderBy(o => o.Path, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Names of the direct children of <paramref name="path"/> that lead to an object
    /// <paramref name="caller"/> may see; null when nothing visible is at or below the path.
    /// </summary>
    public string[]? VisibleChildren(string path, Caller caller)
    {
        var children = new SortedSet<string>(StringComparer.Ordinal);
        var exists = false;
        lock (_lock)
        {
            foreach (var served in _objects.Values.Where(o => o.IsVisibleTo(caller)))
            {
                if (served.Path == path)
                {
                    exists = true;
                }
                else if (IsStrictlyBelow(served.Path, path))
                {
                    exists = true;
                    var rest = served.Path.AsSpan(path == "/" ? 1 : path.Length + 1);
                    var slash = rest.IndexOf('/');
                    children.Add((slash < 0 ? rest : rest[..slash]).ToString());
                }
            }
        }
        return exists ? [.. children] : null;
    }

    private static bool IsStrictlyBelow(string path, string root) =>
        path != root && (root == "/" || path.StartsWith(root + "/", StringComparison.Ordinal));
}
