using Concierge.Service.Errors;
using Concierge.Service.Naming;

namespace Concierge.Service.Storage;

/// <summary>
/// Creates, destroys and lists the raw disk images of each owner. An image is created as a
/// sparse file under a <see cref="StorageLayout.PartialSuffix"/> name of its own, synced and then
/// linked into place only if the name is still free, so a crash never leaves a half-made image
/// under the real name and concurrent callers of one name each get Created or Exists, without a
/// lock held over the fsync; a destroy renames the image away before deleting it, so racing
/// destroys get Destroyed once and DoesNotExist otherwise. An image may not be larger than the space left on the file system
/// when it is made: images are sparse, so this refuses what could never be filled, it reserves
/// nothing.
/// </summary>
public sealed class DiskImageStore
{
    /// <summary>
    /// Rounds one create may go: each lost race finds the winner's image, unless a destroy removed
    /// it again in between, which sends the create round once more.
    /// </summary>
    private const int MaxCreateRounds = 16;

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
    /// (0 = default size), or reports the existing one untouched. <see cref="DiskSpaceException"/>
    /// when the file system has less space left than the size.
    /// </summary>
    public DiskCreateResult Create(uint owner, string vmName, ulong sizeBytes)
    {
        VmNames.Validate(vmName, "vm_name");
        var size = sizeBytes == 0 ? _limits.DefaultBytes : sizeBytes;
        CheckSize(size);
        var directory = _layout.DiskDirectory(owner, create: true);
        var path = _layout.DiskPath(owner, vmName);
        for (var round = 0; round < MaxCreateRounds; round++)
        {
            if (TryDescribe(vmName, path) is { } existing)
            {
                return new DiskCreateResult(DiskCreateOutcome.Exists, existing);
            }
            CheckFreeSpace(directory, size);
            if (TryCreate(path, size))
            {
                Interop.DirectorySync.Flush(directory);
                return new DiskCreateResult(DiskCreateOutcome.Created, new DiskImageInfo(vmName, path, size));
            }
        }
        throw new IOException($"the disk of {vmName} was created and destroyed {MaxCreateRounds} times while this call ran; try again");
    }

    /// <summary>Makes the image at <paramref name="path"/>; false when another caller made one there first.</summary>
    private static bool TryCreate(string path, ulong size)
    {
        var partial = PartialPath(path);
        try
        {
            using (var stream = new FileStream(partial, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                // ftruncate: the file gets its size without allocating blocks (sparse).
                stream.SetLength((long)size);
                stream.Flush(flushToDisk: true);
            }
            return Interop.HardLink.TryCreate(partial, path);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>
    /// Deletes the image of <paramref name="vmName"/>; false when there was none. The image is
    /// renamed away first: of destroys racing for one image, rename(2) lets one win, so only that
    /// one says it destroyed it. A crash before the delete leaves a partial file, removed at start.
    /// </summary>
    public bool Destroy(uint owner, string vmName)
    {
        VmNames.Validate(vmName, "vm_name");
        var path = _layout.DiskPath(owner, vmName);
        var doomed = PartialPath(path);
        try
        {
            File.Move(path, doomed, overwrite: true);
        }
        catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        File.Delete(doomed);
        Interop.DirectorySync.Flush(_layout.DiskDirectory(owner));
        return true;
    }

    /// <summary>The image of <paramref name="vmName"/>, or null.</summary>
    public DiskImageInfo? Find(uint owner, string vmName)
    {
        VmNames.Validate(vmName, "vm_name");
        return TryDescribe(vmName, _layout.DiskPath(owner, vmName));
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
            // An image destroyed since the listing is left out.
            if (DiskNames.TryDecode(Path.GetFileNameWithoutExtension(path)) is { } name && TryDescribe(name, path) is { } image)
            {
                images.Add(image);
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

    /// <summary>A name of its own next to <paramref name="path"/> for a file on its way in or out.</summary>
    private static string PartialPath(string path) => $"{path}.{Guid.NewGuid():N}{StorageLayout.PartialSuffix}";

    private void CheckSize(ulong size)
    {
        if (size < _limits.MinBytes || size > _limits.MaxBytes)
        {
            throw new InvalidRequestException("disk_size",
                $"disk size {ExactSize.Format(size)} is outside {ExactSize.Format(_limits.MinBytes)} to {ExactSize.Format(_limits.MaxBytes)}; ask for a size in that range");
        }
        if (size % DiskImageLimits.SectorBytes != 0)
        {
            throw new InvalidRequestException("disk_size",
                $"disk size {ExactSize.Format(size)} is not a multiple of {DiskImageLimits.SectorBytes} bytes; round it to whole sectors (e.g. whole KiB)");
        }
    }

    private static void CheckFreeSpace(string directory, ulong size)
    {
        // statvfs f_bavail: what an unprivileged process may still allocate there.
        var free = (ulong)new DriveInfo(directory).AvailableFreeSpace;
        if (size > free)
        {
            // Free space rounded down: a size that fits the text fits the file system.
            throw new DiskSpaceException($"a disk of {ExactSize.Format(size)} is larger than the {free >> 20} MiB left on the service's file system");
        }
    }

    // One stat: existence and size come from the same look, so a destroy in between cannot split them.
    private static DiskImageInfo? TryDescribe(string vmName, string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? new DiskImageInfo(vmName, path, (ulong)file.Length) : null;
    }
}
