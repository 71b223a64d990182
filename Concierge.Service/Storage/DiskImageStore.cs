using Concierge.Service.Naming;

namespace Concierge.Service.Storage;

/// <summary>
/// Creates, destroys and lists the raw disk images of each owner. An image is created as a
/// sparse file under a <see cref="StorageLayout.PartialSuffix"/> name, synced and then renamed
/// into place, so a crash never leaves a half-made image under the real name.
/// </summary>
public sealed class DiskImageStore
{
    private readonly StorageLayout _layout;
    private readonly DiskImageLimits _limits;

    /// <summary>Creates the store over <paramref name="layout"/>.</summary>
    public DiskImageStore(StorageLayout layout, DiskImageLimits? limits = null)
    {
        _layout = layout;
        _limits = limits ?? DiskImageLimits.Default;
    }

    /// <summary>
    /// Creates the image of <paramref name="vmName"/> with <paramref name="sizeBytes"/> bytes
    /// (0 = default size), or reports the existing one untouched.
    /// </summary>
    public DiskCreateResult Create(uint owner, string vmName, ulong sizeBytes)
    {
        VmNames.Validate(vmName, "vm_name");
        var size = sizeBytes == 0 ? _limits.DefaultBytes : sizeBytes;
        CheckSize(size);
        var directory = _layout.DiskDirectory(owner, create: true);
        var path = _layout.DiskPath(owner, vmName);
        if (File.Exists(path))
        {
            return new DiskCreateResult(DiskCreateOutcome.Exists, Describe(vmName, path));
        }
        var partial = path + StorageLayout.PartialSuffix;
        using (var stream = new FileStream(partial, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            // ftruncate: the file gets its size without allocating blocks (sparse).
            stream.SetLength((long)size);
            stream.Flush(flushToDisk: true);
        }
        File.Move(partial, path, overwrite: false);
        Interop.DirectorySync.Flush(directory);
        return new DiskCreateResult(DiskCreateOutcome.Created, Describe(vmName, path));
    }

    /// <summary>Deletes the image of <paramref name="vmName"/>; false when there was none.</summary>
    public bool Destroy(uint owner, string vmName)
    {
        VmNames.Validate(vmName, "vm_name");
        var path = _layout.DiskPath(owner, vmName);
        if (!File.Exists(path))
        {
            return false;
        }
        File.Delete(path);
        Interop.DirectorySync.Flush(_layout.DiskDirectory(owner));
        return true;
    }

    /// <summary>The image of <paramref name="vmName"/>, or null.</summary>
    public DiskImageInfo? Find(uint owner, string vmName)
    {
        VmNames.Validate(vmName, "vm_name");
        var path = _layout.DiskPath(owner, vmName);
        return File.Exists(path) ? Describe(vmName, path) : null;
    }

    /// <summary>Every image of <paramref name="owner"/>, by VM name; files we did not write are skipped.</summary>
    public IReadOnlyList<DiskImageInfo> List(uint owner)
    {
        var directory = _layout.DiskDirectory(owner);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        var images = new List<DiskImageInfo>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + StorageLayout.DiskExtension))
        {
            if (DiskNames.TryDecode(Path.GetFileNameWithoutExtension(path)) is { } name)
            {
                images.Add(Describe(name, path));
            }
        }
        images.Sort((a, b) => string.CompareOrdinal(a.VmName, b.VmName));
        return images;
    }

    /// <summary>Deletes images whose creation a crash interrupted; returns their paths.</summary>
    public IReadOnlyList<string> RemovePartialImages()
    {
        var removed = new List<string>();
        if (!Directory.Exists(_layout.UsersRoot))
        {
            return removed;
        }
        foreach (var owner in Directory.EnumerateDirectories(_layout.UsersRoot))
        {
            var disks = Path.Combine(owner, "disks");
            if (!Directory.Exists(disks))
            {
                continue;
            }
            foreach (var partial in Directory.EnumerateFiles(disks, "*" + StorageLayout.PartialSuffix))
            {
                File.Delete(partial);
                removed.Add(partial);
            }
        }
        return removed;
    }

    private void CheckSize(ulong size)
    {
        if (size < _limits.MinBytes || size > _limits.MaxBytes)
        {
            throw new InvalidRequestException("disk_size",
                $"disk size {size} bytes is outside {_limits.MinBytes}..{_limits.MaxBytes} bytes");
        }
        if (size % DiskImageLimits.SectorBytes != 0)
        {
            throw new InvalidRequestException("disk_size",
                $"disk size {size} bytes is not a multiple of {DiskImageLimits.SectorBytes} bytes");
        }
    }

    private static DiskImageInfo Describe(string vmName, string path) =>
        new(vmName, path, (ulong)new FileInfo(path).Length);
}
