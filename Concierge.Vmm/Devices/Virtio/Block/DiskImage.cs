using System.Runtime.InteropServices;
using Concierge.Vmm.Images;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>
/// A raw disk image file: positional reads and writes through the page cache, a flush that
/// is fdatasync, so data acknowledged after a guest FLUSH survives a host crash, and discard /
/// zeroing through fallocate(2) (holes punched in the file, or its blocks zeroed in place).
/// It works on the <see cref="ImageFile"/>'s fd and owns it.
/// </summary>
public sealed partial class DiskImage : IDisposable
{
    // fallocate(2) modes, <linux/falloc.h>.
    private const int FallocKeepSize = 0x01;
    private const int FallocPunchHole = 0x02;
    private const int FallocZeroRange = 0x10;
    private const int EOpNotSupp = 95;
    private const int ZeroChunk = 64 << 10;

    private readonly SafeFileHandle _handle;
    private readonly ImageFile _file;

    /// <summary>
    /// The disk in <paramref name="file"/>, which it now owns; <paramref name="readOnly"/> refuses
    /// the guest's writes. A writable disk takes the image's exclusive lock (two VMs never write one disk).
    /// </summary>
    /// <exception cref="VmConfigException">A writable disk in a file not open for writing, or one another writer holds.</exception>
    public DiskImage(ImageFile file, bool readOnly)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!readOnly && !file.IsWritable)
        {
            throw new VmConfigException($"disk {file.Name} is writable but its file is open read-only");
        }
        if (!readOnly)
        {
            file.LockForWriting();
        }
        _file = file;
        _handle = file.Handle;
        Length = file.Length;
        IsReadOnly = readOnly;
    }

    /// <summary>Size of the image in bytes when it was opened (the guest sees whole sectors of it).</summary>
    public long Length { get; }

    /// <summary>True when opened read-only: writes are refused.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Opens the raw image at <paramref name="path"/> (see <see cref="ImageFile.Open"/>).</summary>
    public static DiskImage Open(string path, bool readOnly)
    {
        var file = ImageFile.Open(path, writable: !readOnly);
        try
        {
            return new DiskImage(file, readOnly);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads into <paramref name="buffer"/> at <paramref name="offset"/>; bytes past the file's end read as zero.</summary>
    public void Read(Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(_handle, buffer, offset);
            if (read == 0)
            {
                buffer.Clear();
                return;
            }
            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <summary>Writes <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
    /// <exception cref="UnauthorizedAccessException">The image is read-only.</exception>
    public void Write(ReadOnlySpan<byte> buffer, long offset)
    {
        ThrowIfReadOnly();
        RandomAccess.Write(_handle, buffer, offset);
    }

    /// <summary>Makes every completed write durable (fdatasync).</summary>
    /// <exception cref="IOException">fdatasync failed.</exception>
    public void Flush()
    {
        if (IsReadOnly)
        {
            return;
        }
        if (FdataSync(_handle) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"fdatasync failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
    }

    /// <summary>
    /// Gives the blocks of [<paramref name="offset"/>, +<paramref name="length"/>) back to the host
    /// file system (a hole that reads as zeroes). A discard is a hint: where the file system cannot
    /// punch holes, nothing happens.
    /// </summary>
    /// <exception cref="IOException">fallocate failed for another reason.</exception>
    public void Discard(long offset, long length)
    {
        ThrowIfReadOnly();
        var errno = Fallocate(FallocPunchHole | FallocKeepSize, offset, length);
        if (errno != 0 && errno != EOpNotSupp)
        {
            throw FallocateFailed(errno);
        }
    }

    /// <summary>
    /// Makes [<paramref name="offset"/>, +<paramref name="length"/>) read as zeroes: a punched hole
    /// when <paramref name="mayUnmap"/>, else zeroed blocks that stay allocated; where the file
    /// system supports neither, zeroes are written (the caller bounds <paramref name="length"/>).
    /// </summary>
    /// <exception cref="IOException">fallocate or the write failed.</exception>
    public void WriteZeroes(long offset, long length, bool mayUnmap)
    {
        ThrowIfReadOnly();
        var errno = mayUnmap ? Fallocate(FallocPunchHole | FallocKeepSize, offset, length) : EOpNotSupp;
        if (errno == EOpNotSupp)
        {
            errno = Fallocate(FallocZeroRange | FallocKeepSize, offset, length);
        }
        if (errno == 0)
        {
            return;
        }
        if (errno != EOpNotSupp)
        {
            throw FallocateFailed(errno);
        }
        var zeroes = new byte[(int)Math.Min(length, ZeroChunk)];
        for (var done = 0L; done < length; done += zeroes.Length)
        {
            RandomAccess.Write(_handle, zeroes.AsSpan(0, (int)Math.Min(zeroes.Length, length - done)), offset + done);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private void ThrowIfReadOnly()
    {
        if (IsReadOnly)
        {
            throw new UnauthorizedAccessException("the disk image is read-only");
        }
    }

    /// <summary>fallocate(2), retried on EINTR; returns 0 or the errno.</summary>
    private int Fallocate(int mode, long offset, long length)
    {
        while (true)
        {
            if (FallocateNative(_handle, mode, offset, length) == 0)
            {
                return 0;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno != 4 /* EINTR */)
            {
                return errno;
            }
        }
    }

    private static IOException FallocateFailed(int errno) =>
        new($"fallocate failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int FallocateNative(SafeFileHandle fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(SafeFileHandle fd);
}
