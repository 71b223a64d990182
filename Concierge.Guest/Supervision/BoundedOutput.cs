namespace Concierge.Guest.Supervision;

/// <summary>
/// Drains a child's output pipe to its end (so the child never blocks on a full pipe) and
/// keeps at most a given number of bytes of it.
/// </summary>
internal static class BoundedOutput
{
    /// <summary>Reads <paramref name="stream"/> to its end, keeping the first <paramref name="limit"/> bytes.</summary>
    public static async Task<(byte[] Kept, bool Truncated)> ReadAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        using var kept = new MemoryStream();
        var truncated = false;
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return (kept.ToArray(), truncated);
            }
            var room = limit - (int)kept.Length;
            if (read > room)
            {
                truncated = true;
            }
            kept.Write(buffer, 0, Math.Min(read, room));
        }
    }
}
