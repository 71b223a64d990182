using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Concierge.GuestLink;

/// <summary>
/// Reads and writes the link's frames: a 4-byte big-endian length, then that many bytes of
/// one serialized protobuf message. Both ends of the host⇄guest link use this type (it
/// lives in Concierge.GuestLink, which both the guest init and the service reference). The size limit is checked before anything is allocated, so a
/// hostile peer cannot make us buffer more than <see cref="MaxFrameBytes"/>.
/// </summary>
public sealed class FrameCodec
{
    /// <summary>Bytes of the length prefix.</summary>
    public const int HeaderBytes = 4;

    /// <summary>Default limit: far above any message we send (exec output is bounded well below it).</summary>
    public const int DefaultMaxFrameBytes = 4 << 20;

    /// <summary>A codec refusing bodies over <paramref name="maxFrameBytes"/> bytes.</summary>
    public FrameCodec(int maxFrameBytes = DefaultMaxFrameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrameBytes);
        MaxFrameBytes = maxFrameBytes;
    }

    /// <summary>Largest message body accepted or sent, in bytes.</summary>
    public int MaxFrameBytes { get; }

    /// <summary>
    /// Writes one frame with a single write, so frames from one writer never interleave.
    /// Callers that write from several tasks serialize the calls themselves.
    /// </summary>
    /// <exception cref="FrameTooLargeException">The message serializes to more than the limit.</exception>
    public async ValueTask WriteAsync(Stream stream, IMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(message);
        var size = message.CalculateSize();
        if (size > MaxFrameBytes)
        {
            throw new FrameTooLargeException(size, MaxFrameBytes);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderBytes + size);
        try
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)size);
            message.WriteTo(buffer.AsSpan(HeaderBytes, size));
            await stream.WriteAsync(buffer.AsMemory(0, HeaderBytes + size), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads one frame. Returns null when the stream ends cleanly between frames.
    /// </summary>
    /// <exception cref="TruncatedFrameException">The stream ended inside a frame.</exception>
    /// <exception cref="FrameTooLargeException">The announced length is over the limit (nothing more is read).</exception>
    /// <exception cref="MalformedFrameException">The body is not a valid message of type <typeparamref name="T"/>.</exception>
    public async ValueTask<T?> ReadAsync<T>(Stream stream, MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(parser);
        var header = new byte[HeaderBytes];
        var got = await stream.ReadAtLeastAsync(header, HeaderBytes, throwOnEndOfStream: false, cancellationToken);
        if (got == 0)
        {
            return null;
        }
        if (got < HeaderBytes)
        {
            throw new TruncatedFrameException(HeaderBytes, got);
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length > (uint)MaxFrameBytes)
        {
            throw new FrameTooLargeException(length, MaxFrameBytes);
        }
        var body = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            got = await stream.ReadAtLeastAsync(body.AsMemory(0, (int)length), (int)length, throwOnEndOfStream: false, cancellationToken);
            if (got < length)
            {
                throw new TruncatedFrameException(length, got);
            }
            try
            {
                return parser.ParseFrom(body.AsSpan(0, (int)length));
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new MalformedFrameException(typeof(T).Name, e);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }
}
