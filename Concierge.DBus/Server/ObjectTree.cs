using Concierge.DBus.Protocol;

namespace Concierge.DBus.Server;

/// <summary>
/// The served objects by path, and the paths where an ObjectManager lives. Intermediate nodes are
/// not stored: they exist implicitly because some registered path lies below them.
/// </summary>
internal sealed class ObjectTree
{
    private readonly Dictionary<string, DBusObject> _objects = new(StringComparer.Ordinal);
    private readonly HashSet<string> _managers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Add(DBusObject dbusObject)
    {
        lock (_lock)
        {
            if (!_objects.TryAdd(dbusObject.Path.Value, dbusObject))
            {
                throw new InvalidOperationException($"an object is already registered at {dbusObject.Path}");
            }
        }
    }

    public DBusObject? Remove(string path)
    {
        lock (_lock)
        {
            return _objects.Remove(path, out var removed) ? removed : null;
        }
    }

    public void AddManager(string path)
    {
        lock (_lock)
        {
            _managers.Add(path);
        }
    }

    public bool IsManager(string path)
    {
        lock (_lock)
        {
            return _managers.Contains(path);
        }
    }

    public DBusObject? Find(string path)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault(path);
        }
    }

    /// <summary>The ObjectManager paths that are strict ancestors of <paramref name="path"/>.</summary>
    public string[] ManagersOf(string path)
    {
        lock (_lock)
        {
            return [.. _managers.Where(manager => IsStrictlyBelow(path, manager))];
        }
    }

    /// <summary>Objects strictly below <paramref name="root"/>, in path order.</summary>
    public DBusObject[] Below(string root)
    {
        lock (_lock)
        {
            return [.. _objects.Values.Where(o => IsStrictlyBelow(o.Path.Value, root)).OrderBy(o => o.Path.Value, StringComparer.Ordinal)];
        }
    }

    /// <summary>Names of the direct child nodes of <paramref name="path"/> (real or intermediate).</summary>
    public SortedSet<string> ChildNames(string path)
    {
        var children = new SortedSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var registered in _objects.Keys.Concat(_managers))
            {
                if (!IsStrictlyBelow(registered, path))
                {
                    continue;
                }
                var rest = registered.AsSpan(path == "/" ? 1 : path.Length + 1);
                var slash = rest.IndexOf('/');
                children.Add((slash < 0 ? rest : rest[..slash]).ToString());
            }
        }
        return children;
    }

    /// <summary>True if something is registered at or below <paramref name="path"/>.</summary>
    public bool Exists(string path) => Find(path) is not null || IsManager(path) || ChildNames(path).Count > 0;

    private static bool IsStrictlyBelow(string path, string root) =>
        path != root && (root == "/" || path.StartsWith(root + "/", StringComparison.Ordinal)) && NameValidator.IsValidObjectPath(path);
}
