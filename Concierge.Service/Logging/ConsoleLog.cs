namespace Concierge.Service.Logging;

/// <summary>
/// A VM's serial console captured to a file with size-based rotation: when the file reaches
/// <c>maxBytes</c> it becomes <c>.1</c> (older ones shift to <c>.2</c> … up to
/// <c>keepRotated</c>, the oldest is deleted), so a chatty or hostile guest can use at most
/// <c>(keepRotated + 1) × maxBytes</c> of disk. Thread-safe.
/// </summary>
public sealed class ConsoleLog : IDisposable
{
    /// <summary>Default size of one file.</summary>
    public const long DefaultMaxBytes = 1 << 20;

    /// <summary>Default number of rotated files kept.</summary>
    public const int DefaultKeepRotated = 2;

    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _keepRotated;
    private FileStream _current;

    /// <summary>Opens (appending) or creates the log at <paramref name="path"/>.</summary>
    public ConsoleLog(string path, long maxBytes = DefaultMaxBytes, int keepRotated = DefaultKeepRotated)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(keepRotated);
        _path = path;
        _maxBytes = maxBytes;
        _keepRotated = keepRotated;
        _current = Open(path);
    }

    /// <summary>Appends console bytes, rotating as often as needed.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            while (!data.IsEmpty)
            {
                var room = _maxBytes - _current.Length;
                if (room <= 0)
                {
                    Rotate();
                    continue;
                }
                var chunk = (int)Math.Min(room, data.Length);
                _current.Write(data[..chunk]);
                data = data[chunk..];
            }
            _current.Flush();
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _current.Dispose();
        }
    }

    /// <summary>
    /// The last <paramref name="maxBytes"/> bytes of the log at <paramref name="path"/> and its
    /// rotated files, oldest first, as text (invalid UTF-8 becomes U+FFFD). Empty when none exist.
    /// </summary>
    public static string ReadTail(string path, int maxBytes, int keepRotated = DefaultKeepRotated)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 0);
        var pieces = new List<byte[]>();
        var remaining = (long)maxBytes;
        for (var i = 0; i <= keepRotated && remaining > 0; i++)
        {
            var file = i == 0 ? path : $"{path}.{i}";
            if (!File.Exists(file))
            {
                continue;
            }
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var take = Math.Min(remaining, stream.Length);
            stream.Seek(-take, SeekOrigin.End);
            var piece = new byte[take];
            stream.ReadExactly(piece);
            pieces.Add(piece);
            remaining -= take;
        }
        pieces.Reverse();
        return System.Text.Encoding.UTF8.GetString([.. pieces.SelectMany(p => p)]);
    }

    private void Rotate()
    {
        _current.Dispose();
        if (_keepRotated == 0)
        {
            File.Delete(_path);
        }
        else
        {
            File.Delete($"{_path}.{_keepRotated}");
            for (var i = _keepRotated - 1; i >= 1; i--)
            {
                if (File.Exists($"{_path}.{i}"))
                {
                    File.Move($"{_path}.{i}", $"{_path}.{i + 1}");
                }
            }
            File.Move(_path, $"{_path}.1");
        }
        _current = Open(_path);
    }

    private static FileStream Open(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Append,
        Access = FileAccess.Write,
        Share = FileShare.Read,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
    });
}
