namespace SlateDB.Storage;

/// <summary>A range of bytes inside an object: <see cref="Length"/> bytes from <see cref="Offset"/>.</summary>
public readonly record struct ByteRange
{
    /// <summary>Creates a range; both numbers must be zero or more.</summary>
    public ByteRange(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset > long.MaxValue - length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The range ends past the largest possible offset.");
        }

        Offset = offset;
        Length = length;
    }

    /// <summary>The first byte's offset.</summary>
    public long Offset { get; }

    /// <summary>How many bytes.</summary>
    public long Length { get; }

    /// <summary>The offset just past the last byte.</summary>
    public long End => Offset + Length;

    /// <summary>The range between two offsets, <paramref name="start"/> inclusive and <paramref name="end"/> exclusive.</summary>
    public static ByteRange FromBounds(long start, long end)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        return new ByteRange(start, end - start);
    }

    /// <summary>
    /// This range clipped to an object of <paramref name="size"/> bytes: it ends at the object's end at the latest, and
    /// is empty, at the end, when it starts there or past it (what a ranged read of that object returns).
    /// </summary>
    /// <param name="size">The object's size in bytes.</param>
    public ByteRange ClipTo(long size) => FromBounds(Math.Min(Offset, size), Math.Min(End, size));

    /// <inheritdoc/>
    public override string ToString() => $"[{Offset}, {End})";
}
