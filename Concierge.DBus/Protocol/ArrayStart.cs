namespace Concierge.DBus.Protocol;

/// <summary>Bookmark returned by <see cref="MessageWriter.WriteArrayStart"/>; pass it to <see cref="MessageWriter.WriteArrayEnd"/>.</summary>
public readonly record struct ArrayStart
{
    internal ArrayStart(int lengthOffset, int dataOffset)
    {
        LengthOffset = lengthOffset;
        DataOffset = dataOffset;
    }

    internal int LengthOffset { get; }

    internal int DataOffset { get; }
}
