using Concierge.Service.Errors;
using Concierge.Vmm.Images;
using Concierge.Vmm;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Service.Supervision;

/// <summary>
/// The images a StartVm caller passed as fds, checked when the call arrives (see
/// <see cref="ImageFile.FromPassedFd"/>) and held for the VM's whole run, restarts included.
/// Each monitor instance reads through its own duplicates (<see cref="ImageFile.Duplicate"/>),
/// released with that instance; these close when the run is over. They are never persisted:
/// the registry only records that the VM was defined from fds.
/// </summary>
public sealed class PassedImages : IDisposable
{
    private PassedImages(ImageFile? kernel, ImageFile? initrd, ImageFile? rootfs, IReadOnlyList<ImageFile?> disks)
    {
        Kernel = kernel;
        Initrd = initrd;
        Rootfs = rootfs;
        Disks = disks;
    }

    /// <summary>The guest kernel, read-only.</summary>
    public ImageFile? Kernel { get; }

    /// <summary>The initramfs, read-only.</summary>
    public ImageFile? Initrd { get; }

    /// <summary>The root file system, read-write.</summary>
    public ImageFile? Rootfs { get; }

    /// <summary>The extra disks in the definition's order: the passed image of each, or null where that disk has a path.</summary>
    public IReadOnlyList<ImageFile?> Disks { get; }

    /// <summary>
    /// Checks and takes the passed fds (any may be null); null when none was passed. Every fd is
    /// the returned object's or, when one is refused, closed.
    /// </summary>
    /// <exception cref="InvalidRequestException">An fd is not a usable image; the message says why.</exception>
    public static PassedImages? Take(SafeFileHandle? kernel, SafeFileHandle? initrd, SafeFileHandle? rootfs,
        IReadOnlyList<(SafeFileHandle? Fd, bool Writable)> disks)
    {
        ArgumentNullException.ThrowIfNull(disks);
        if (kernel is null && initrd is null && rootfs is null && disks.All(d => d.Fd is null))
        {
            return null;
        }
        try
        {
            return new PassedImages(
                Check(kernel, "the KERNEL fd", writable: false),
                Check(initrd, "the INITRD fd", writable: false),
                Check(rootfs, "the ROOTFS fd", writable: true),
                [.. disks.Select((disk, i) => Check(disk.Fd, $"the fd of disk {i}", disk.Writable))]);
        }
        catch (VmConfigException e)
        {
            // An image wraps its fd's own handle, so this closes the checked ones too.
            kernel?.Dispose();
            initrd?.Dispose();
            rootfs?.Dispose();
            foreach (var disk in disks)
            {
                disk.Fd?.Dispose();
            }
            throw new InvalidRequestException("fds", e.Message);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Kernel?.Dispose();
        Initrd?.Dispose();
        Rootfs?.Dispose();
        foreach (var disk in Disks)
        {
            disk?.Dispose();
        }
    }

    private static ImageFile? Check(SafeFileHandle? fd, string name, bool writable) =>
        fd is null ? null : ImageFile.FromPassedFd(fd, name, writable);
}
