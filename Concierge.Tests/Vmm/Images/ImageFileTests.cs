using System.Runtime.InteropServices;
using Concierge.Vmm;
using Concierge.Vmm.Devices.Virtio.Block;
using Concierge.Vmm.Images;
using Microsoft.Win32.SafeHandles;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Images;

/// <summary>
/// What the monitor accepts as an image, on real files and real fds: only regular files and block
/// devices, opened for what the image is used for, checked without ever blocking.
/// </summary>
[TestFixture, Category("Unit")]
public sealed partial class ImageFileTests
{
    private const int OPath = 0x200000;
    private const int ODirectory = 0x10000;
    private const int ONonBlock = 0x800;
    private static readonly TimeSpan NoBlocking = TimeSpan.FromSeconds(10);

    private DirectoryInfo _scratch = null!;
    private string _file = "";

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Directory.CreateTempSubdirectory("image-file-");
        _file = Path.Combine(_scratch.FullName, "image");
        File.WriteAllBytes(_file, [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    [TearDown]
    public void DeleteScratch() => _scratch.Delete(recursive: true);

    [Test]
    public void APassedFdIsReadAsTheFdEvenAfterItsNameIsGone()
    {
        using var image = ImageFile.FromPassedFd(File.OpenHandle(_file), "the KERNEL fd", writable: false);
        File.Delete(_file);
        var buffer = new byte[4];
        image.ReadExactly(buffer, 2);
        Assert.That((buffer, image.Length, image.Name), Is.EqualTo((new byte[] { 3, 4, 5, 6 }, 8L, "the KERNEL fd")));
    }

    [Test]
    public void AnOPathFdIsRefused()
    {
        var error = Assert.Throws<VmConfigException>(() => ImageFile.FromPassedFd(Open(_file, OPath), "the INITRD fd", writable: false));
        Assert.That(error!.Message, Does.Contain("O_PATH"));
    }

    [Test]
    public void AReadOnlyFdIsRefusedForAWritableDisk()
    {
        var error = Assert.Throws<VmConfigException>(() => ImageFile.FromPassedFd(File.OpenHandle(_file), "the ROOTFS fd", writable: true));
        Assert.That(error!.Message, Does.Contain("O_RDWR"));
    }

    [Test]
    public void AWriteOnlyFdIsRefusedForAKernel() =>
        Assert.Throws<VmConfigException>(() => ImageFile.FromPassedFd(File.OpenHandle(_file, FileMode.Open, FileAccess.Write), "the KERNEL fd", writable: false));

    [Test]
    public void ADirectoryIsRefusedAsFdAndAsPath()
    {
        Assert.Throws<VmConfigException>(() => ImageFile.FromPassedFd(Open(_scratch.FullName, ODirectory), "the KERNEL fd", writable: false));
        Assert.Throws<VmConfigException>(() => ImageFile.Open(_scratch.FullName, writable: false));
    }

    [Test]
    public void AFifoIsRefusedWithoutBlockingAsFdAndAsPath()
    {
        var fifo = Path.Combine(_scratch.FullName, "fifo");
        Assert.That(MakeFifo(fifo, 0b110_000_000), Is.Zero, Marshal.GetLastPInvokeErrorMessage());
        // No writer ever comes: an open or read that waits for one never returns.
        var byPath = Task.Run(() => Assert.Throws<VmConfigException>(() => ImageFile.Open(fifo, writable: false)));
        var byFd = Task.Run(() => Assert.Throws<VmConfigException>(() => ImageFile.FromPassedFd(Open(fifo, ONonBlock), "the KERNEL fd", writable: false)));
        Assert.That(Task.WaitAll([byPath, byFd], NoBlocking), Is.True, "checking a FIFO blocked");
        Assert.That(byPath.Result!.Message, Does.Contain("not a regular file or a block device"));
    }

    [Test]
    public void ACharacterDeviceIsRefused() =>
        Assert.Throws<VmConfigException>(() => ImageFile.Open("/dev/zero", writable: false));

    [Test]
    public void ARefusedFdIsClosed()
    {
        var handle = Open(_file, OPath);
        Assert.Throws<VmConfigException>(() => ImageFile.FromPassedFd(handle, "the KERNEL fd", writable: false));
        Assert.That(handle.IsClosed, Is.True);
    }

    [Test]
    public void ADuplicateOutlivesTheImageItCameFrom()
    {
        ImageFile duplicate;
        using (var image = ImageFile.Open(_file, writable: true))
        {
            duplicate = image.Duplicate();
        }
        using (duplicate)
        {
            var buffer = new byte[1];
            duplicate.ReadExactly(buffer, 7);
            Assert.That((buffer[0], duplicate.IsWritable), Is.EqualTo(((byte)8, true)));
        }
    }

    [Test]
    public void AWritableDiskHasOneWriterButItsDuplicatesShareTheLock()
    {
        using var image = ImageFile.Open(_file, writable: true);
        using var duplicate = image.Duplicate();
        using var disk = new DiskImage(image, readOnly: false);
        using var restarted = new DiskImage(duplicate, readOnly: false);

        var error = Assert.Throws<VmConfigException>(() => DiskImage.Open(_file, readOnly: false));
        Assert.That(error!.Message, Does.Contain("in use"));
        Assert.DoesNotThrow(() => DiskImage.Open(_file, readOnly: true).Dispose(), "a reader takes no lock");
    }

    private static SafeFileHandle Open(string path, int flags)
    {
        var fd = OpenNative(path, flags);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), Marshal.GetLastPInvokeErrorMessage());
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);
}
