using Concierge.Service.Naming;

namespace Concierge.Service.Storage;

/// <summary>
/// Where the service keeps its files under one state root (production
/// <c>/var/lib/concierge</c>, tests a temp dir):
/// <c>state.json</c> (the registry), <c>users/&lt;uid&gt;/disks/&lt;b64name&gt;.img</c> and
/// <c>users/&lt;uid&gt;/logs/&lt;b64name&gt;.log</c>. Every path is built from a uid and an
/// encoded name, never from caller text.
/// </summary>
public sealed class StorageLayout
{
    /// <summary>The production state root.</summary>
    public const string DefaultRoot = "/var/lib/concierge";

    /// <summary>The extension of raw disk images.</summary>
    public const string DiskExtension = ".img";

    /// <summary>The suffix of a disk image still being created (removed after a crash).</summary>
    public const string PartialSuffix = ".partial";

    /// <summary>The extension of console logs.</summary>
    public const string LogExtension = ".log";

    // 0700: the callers' group is not the service's business. Every file below is the service's
    // (0600); callers reach their disks and logs only through the API.
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the layout over <paramref name="root"/> (created when missing, made 0700 when not).</summary>
    public StorageLayout(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root, DirectoryMode);
        // A root made by an older version (0750) or by hand is closed too: the mode of the root
        // alone keeps everyone but the service out of everything below it.
        File.SetUnixFileMode(Root, DirectoryMode);
    }

    /// <summary>The state root.</summary>
    public string Root { get; }

    /// <summary>The registry file.</summary>
    public string StateFile => Path.Combine(Root, "state.json");

    /// <summary>The folder holding every owner's folder.</summary>
    public string UsersRoot => Path.Combine(Root, "users");

    /// <summary>The disk image folder of <paramref name="owner"/>; created on demand.</summary>
    public string DiskDirectory(uint owner, bool create = false) => OwnerSubdirectory(owner, "disks", create);

    /// <summary>The console log folder of <paramref name="owner"/>; created on demand.</summary>
    public string LogDirectory(uint owner, bool create = false) => OwnerSubdirectory(owner, "logs", create);

    /// <summary>The raw disk image of VM <paramref name="vmName"/> of <paramref name="owner"/>.</summary>
    public string DiskPath(uint owner, string vmName) =>
        Path.Combine(DiskDirectory(owner), DiskNames.Encode(vmName) + DiskExtension);

    /// <summary>The console log of VM <paramref name="vmName"/> of <paramref name="owner"/>.</summary>
    public string ConsoleLogPath(uint owner, string vmName) =>
        Path.Combine(LogDirectory(owner), DiskNames.Encode(vmName) + LogExtension);

    private string OwnerSubdirectory(uint owner, string kind, bool create)
    {
        var path = Path.Combine(UsersRoot, OwnerIds.Format(owner), kind);
        if (create)
        {
            Directory.CreateDirectory(UsersRoot, DirectoryMode);
            Directory.CreateDirectory(Path.Combine(UsersRoot, OwnerIds.Format(owner)), DirectoryMode);
            Directory.CreateDirectory(path, DirectoryMode);
        }
        return path;
    }
}
