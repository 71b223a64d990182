using Concierge.Service.Errors;
using Concierge.Service.Naming;
using Concierge.Service.Storage;

namespace Concierge.Service.Api;

/// <summary>
/// Decides which caller-given image paths the service will open. The service has more rights than
/// its callers, so it never opens a path just because it can: a non-root caller may name files only
/// in the system guest image directory or its own storage directory (both writable only by the
/// service or root, so no caller can plant a symlink there). What is checked is where the name
/// lives: its directory fully resolved, then its last component. A symlink found there was put
/// there by root or the service and is followed wherever it leads (an image directory may link
/// its kernel from a build tree, as demo/run.sh does). Anything else must come as an fd the caller
/// opened itself. Root may name any path.
/// </summary>
public sealed class ImagePathPolicy
{
    /// <summary>Longest path accepted (PATH_MAX).</summary>
    public const int MaxPathLength = 4096;

    /// <summary>Symlinks followed while resolving one path (the kernel's MAXSYMLINKS).</summary>
    private const int MaxSymlinkHops = 40;

    private readonly StorageLayout _layout;

    /// <summary>Creates the policy for the service's state layout and system image directory.</summary>
    public ImagePathPolicy(StorageLayout layout, string imageDirectory)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentException.ThrowIfNullOrEmpty(imageDirectory);
        _layout = layout;
        ImageDirectory = Path.GetFullPath(imageDirectory);
    }

    /// <summary>The system guest image directory.</summary>
    public string ImageDirectory { get; }

    /// <summary>
    /// The resolved path of <paramref name="path"/> when <paramref name="caller"/> may use it;
    /// otherwise <see cref="InvalidRequestException"/> (malformed, missing) or
    /// <see cref="CallerAccessDeniedException"/> (outside the allowed directories).
    /// </summary>
    public string Authorize(Caller caller, string field, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path.Length > MaxPathLength || path.Contains('\0', StringComparison.Ordinal) || !Path.IsPathRooted(path))
        {
            throw new InvalidRequestException(field, $"{field} must be an absolute path of at most {MaxPathLength} characters");
        }
        // The caller's part of the path is resolved once; what is opened is derived from that, so
        // a link the caller swaps after the check changes nothing.
        var name = Path.GetFileName(path);
        var location = Path.Combine(Resolve(Path.GetDirectoryName(path) ?? "/", field), name);
        var resolved = Resolve(location, field);
        if (!File.Exists(resolved))
        {
            throw new InvalidRequestException(field, $"{field} {path} is not an existing file");
        }
        if (!caller.IsRoot && (name is "." or ".." || (!IsBelow(location, Resolve(ImageDirectory, field))
            && !IsBelow(location, Resolve(Path.Combine(_layout.UsersRoot, OwnerIds.Format(caller.Uid)), field)))))
        {
            throw new CallerAccessDeniedException(
                $"{field} {path} is outside {ImageDirectory} and your storage directory; pass it as a file descriptor instead");
        }
        return resolved;
    }

    /// <summary>The path with every symlink and "."/".." resolved (realpath), following at most 40 links.</summary>
    internal static string Resolve(string path, string field)
    {
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = "/";
        var hops = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }
            var candidate = Path.Combine(resolved, part);
            var target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                resolved = candidate;
                continue;
            }
            if (++hops > MaxSymlinkHops)
            {
                throw new InvalidRequestException(field, $"{field} {path} has too many levels of symbolic links");
            }
            foreach (var linked in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(linked);
            }
            if (target.StartsWith('/'))
            {
                resolved = "/";
            }
        }
        return resolved;
    }

    private static bool IsBelow(string path, string directory) =>
        path.StartsWith(directory.EndsWith('/') ? directory : directory + "/", StringComparison.Ordinal);
}
