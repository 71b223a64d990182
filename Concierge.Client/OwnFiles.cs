using Microsoft.Win32.SafeHandles;
using FdType = Concierge.Service.Protocol.StartVmRequest.Types.FdType;

namespace Concierge.Client;

/// <summary>
/// The image files a start names, opened by this process (so with its user's rights) to be
/// passed as fds: the kernel and initramfs for reading, the root file system and writable disks
/// for reading and writing, read-only disks for reading. The service reads an fd as it is and
/// never reopens it, so the VM gets exactly the access this user has.
/// </summary>
internal sealed class OwnFiles : IDisposable
{
    private OwnFiles(List<(FdType Type, SafeFileHandle Fd)> files)
    {
        Files = files;
    }

    /// <summary>Each opened file with the fd type StartVmWithFds gives it, in the order they are passed.</summary>
    public IReadOnlyList<(FdType Type, SafeFileHandle Fd)> Files { get; }

    /// <summary>Opens every file <paramref name="options"/> names; on a refusal nothing stays open.</summary>
    /// <exception cref="ConciergeAccessDeniedException">This user may not open a file as needed.</exception>
    /// <exception cref="InvalidRequestException">A file does not exist.</exception>
    public static OwnFiles Open(VmStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = new List<(FdType, SafeFileHandle)>();
        try
        {
            Add(files, FdType.Kernel, options.KernelPath, FileAccess.Read);
            Add(files, FdType.Initrd, options.InitrdPath, FileAccess.Read);
            Add(files, FdType.Rootfs, options.RootfsPath, FileAccess.ReadWrite);
            foreach (var disk in options.Disks)
            {
                Add(files, FdType.Storage, disk.Path, disk.Writable ? FileAccess.ReadWrite : FileAccess.Read);
            }
            return new OwnFiles(files);
        }
        catch
        {
            files.ForEach(file => file.Item2.Dispose());
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, fd) in Files)
        {
            fd.Dispose();
        }
    }

    private static void Add(List<(FdType, SafeFileHandle)> files, FdType type, string? path, FileAccess access)
    {
        if (path is null)
        {
            return;
        }
        try
        {
            files.Add((type, File.OpenHandle(path, FileMode.Open, access)));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConciergeAccessDeniedException($"you may not open {path} for {(access == FileAccess.Read ? "reading" : "reading and writing")} either ({e.Message})");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidRequestException($"{path} does not exist");
        }
    }
}
