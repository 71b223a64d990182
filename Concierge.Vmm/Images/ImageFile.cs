using Microsoft.Win32.SafeHandles;

namespace Concierge.Vmm.Images;

/// <summary>
/// A file a guest image is read from (kernel, initrd) or a disk lives in: an open, checked fd and
/// a name for messages. The monitor only ever uses the fd, never a path: a caller's passed fd
/// carries the caller's rights, and reopening it by name (<c>/proc/self/fd/N</c>) would carry
/// ours. Both ways in check the same things, so nothing that is not an image is ever read:
/// an access mode that allows what the image is used for (never <c>O_PATH</c>, read-write for
/// a writable disk), and a regular file or a block device, never a FIFO, socket, character
/// device or directory (a FIFO would block the start forever).
/// </summary>
public sealed partial class ImageFile : IDisposable
{
    private ImageFile(SafeFileHandle handle, string name, bool writable)
    {
        Handle = handle;
        Name = name;
        IsWritable = writable;
    }

    /// <summary>What messages call the image: its path, or what the caller passed it as.</summary>
    public string Name { get; }

    /// <summary>True when the fd may be written (opened read-write and checked so).</summary>
    public bool IsWritable { get; }

    /// <summary>Size in bytes now (a block device's size, a regular file's length).</summary>
    public long Length => Describe(Handle, Name).Length;

    /// <summary>The fd; reads and writes are positional, so its file offset is never used.</summary>
    internal SafeFileHandle Handle { get; }

    /// <summary>
    /// Opens the image at <paramref name="path"/>, which the service has authorized. The open
    /// cannot block (<c>O_NONBLOCK</c>: a FIFO planted under the name fails the type check instead
    /// of waiting for a writer) and never gains a controlling terminal (<c>O_NOCTTY</c>).
    /// O_NONBLOCK stays set: it changes nothing for a regular file or a block device.
    /// </summary>
    /// <exception cref="VmConfigException">It cannot be opened or is not an image.</exception>
    public static ImageFile Open(string path, bool writable)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var handle = OpenNonBlocking(path, writable);
        return Checked(handle, path, writable);
    }

    /// <summary>
    /// Takes <paramref name="handle"/>, an fd a caller passed, after checking it: disposed when
    /// the check fails, else owned by the returned image.
    /// </summary>
    /// <exception cref="VmConfigException">The fd is O_PATH, lacks the access needed, or is not an image.</exception>
    public static ImageFile FromPassedFd(SafeFileHandle handle, string name, bool writable)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            CheckAccessMode(handle, name, writable);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return Checked(handle, name, writable);
    }

    /// <summary>
    /// A second fd for the same open file (a dup: same access, same lock), owned by whoever
    /// takes it, so each VM run can release its own while this one stays open.
    /// </summary>
    public ImageFile Duplicate() => new(DuplicateHandle(Handle, Name), Name, IsWritable);

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; a file that ends first is a config error.</summary>
    /// <exception cref="VmConfigException">The image ends before the buffer is full.</exception>
    public void ReadExactly(Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(Handle, buffer, offset);
            if (read == 0)
            {
                throw new VmConfigException($"{Name} ended at byte {offset} while it was read");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Handle.Dispose();

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>
    /// Takes the exclusive lock of a disk the guest writes, so two VMs never write one disk. A
    /// lock belongs to the open file, which duplicates share: a VM's restart takes it again.
    /// </summary>
    /// <exception cref="VmConfigException">Another open file of the image holds the lock.</exception>
    internal void LockForWriting() => LockExclusive(Handle, Name);

    private static ImageFile Checked(SafeFileHandle handle, string name, bool writable)
    {
        try
        {
            Describe(handle, name);
            return new ImageFile(handle, name, writable);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
