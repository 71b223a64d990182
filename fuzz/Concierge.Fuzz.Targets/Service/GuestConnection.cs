namespace Concierge.Fuzz.Targets.Service;

/// <summary>A guest's connection that sends the input, a few bytes per read, and says when the host closed it.</summary>
internal sealed class GuestConnection : MemoryStream
{
    private readonly int _readSize;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GuestConnection(byte[] bytes, int readSize) : base(bytes, writable: false) => _readSize = readSize;

    /// <summary>Completes when the host disposed the stream, i.e. ended the session.</summary>
    public Task Closed => _closed.Task;

    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, _readSize)]);

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, _readSize));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, _readSize)], cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        base.ReadAsync(buffer, offset, Math.Min(count, _readSize), cancellationToken);

    protected override void Dispose(bool disposing)
    {
        _closed.TrySetResult();
        base.Dispose(disposing);
    }
}
