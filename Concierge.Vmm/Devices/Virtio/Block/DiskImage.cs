using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concierge.Vmm.Devices.Virtio.Block;

/// <summary>
/// A raw disk image file: positional reads and writes through the page cache, and a flush that
/// is fdatasync, so data acknowledged after a guest FLUSH survives a host crash.
/// </summary>
public sealed partial class DiskImage : IDisposable
{
    private readonly SafeFileHandle _handle;

    private DiskImage(SafeFileHandle handle, long length, bool readOnly)
    {
        _handle = handle;
        Length = length;
        IsReadOnly = readOnly;
    }

    /// <summary>Size of the image in bytes when it was opened (the guest sees whole sectors of it).</summary>
    public long Length { get; }

    /// <summary>True when opened read-only: writes are refused.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Opens the raw image at <paramref name="path"/>.</summary>
    public static DiskImage Open(string path, bool readOnly)
    {
        var handle = File.OpenHandle(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite, readOnly ? FileShare.Read : FileShare.None);
        try
        {
            return new DiskImage(handle, RandomAccess.GetLength(handle), readOnly);
        }
        catch
        {
            handle.Dispose();
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
        if (IsReadOnly)
        {
            throw new UnauthorizedAccessException("the disk image is read-only");
        }
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

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FdataSync(SafeFileHandle fd);
}
