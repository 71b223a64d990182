namespace Concierge.Service.Storage;

/// <summary>
/// Replaces a file so that after a crash at any point the old or the new content is there,
/// never a mix: write a sibling temp file, fsync it, rename it over the target, fsync the
/// directory. A temp file left by a crash ends in <see cref="TempSuffix"/> and is removed at
/// the next start.
/// </summary>
public static class AtomicFile
{
    /// <summary>The suffix of in-progress temp files.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="content"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = path + TempSuffix;
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        Interop.DirectorySync.Flush(directory);
    }
}
